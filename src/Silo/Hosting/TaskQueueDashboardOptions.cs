namespace DistributedTaskQueue;

/// <summary>
/// The Orleans dashboard in the silo's own web app, under <c>/dashboard</c> (section <c>TaskQueue:Dashboard</c>).
/// Named apart from <c>Orleans.Dashboard.DashboardOptions</c>, which configures the dashboard itself.
/// </summary>
public sealed class TaskQueueDashboardOptions
{
    /// <summary>
    /// Whether the silo collects dashboard data and <c>MapTaskQueueDashboard</c> serves it (true). Off saves the dashboard's
    /// per-call profiling filter and its once-a-second counter export.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
