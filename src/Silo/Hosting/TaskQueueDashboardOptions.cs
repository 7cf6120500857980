namespace DistributedTaskQueue;

/// <summary>
/// The Orleans dashboard in the silo's own web app, under <c>/dashboard</c> (section <c>TaskQueue:Dashboard</c>).
/// Named apart from <c>Orleans.Dashboard.DashboardOptions</c>, which configures the dashboard itself.
/// </summary>
public sealed class TaskQueueDashboardOptions
{
    /// <summary>
    /// Whether the silo collects dashboard data and <c>MapTaskQueueDashboard</c> serves it (true). Off saves the dashboard's
    /// once-a-second counter export.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether every grain call is timed for the dashboard's method pages (Top grain methods, each grain's method
    /// charts) while someone has the dashboard open (false). Off, those pages stay empty and no grain call pays for
    /// them; the queue's own wait and run histograms time the tasks. On, a watched silo under load spent about 5 % of
    /// its CPU in the timing (bench overhead-paired, issue 9).
    /// </summary>
    public bool ProfileGrainMethods { get; set; }
}
