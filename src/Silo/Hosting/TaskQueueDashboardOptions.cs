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
    /// Whether every grain call is timed for the dashboard while someone has it open (false). Everything the dashboard
    /// shows about grain calls comes from that timing: the overview's request, latency and failure charts, the Grains
    /// page's call columns, Top grain methods and the method charts. Off, those stay empty and no grain call pays for
    /// them; silos, activations, reminders and runtime counters still show, and the queue's own metrics time the
    /// tasks. On, a watched silo under load spent about 5 % of its CPU on it (bench overhead-paired, issue 9).
    /// </summary>
    public bool ProfileGrainMethods { get; set; }
}
