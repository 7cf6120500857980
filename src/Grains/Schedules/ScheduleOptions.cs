namespace DistributedTaskQueue;

/// <summary>How schedule grains run on a silo (section <c>TaskQueue:Schedules</c>).</summary>
public sealed class ScheduleOptions
{
    /// <summary>
    /// The DI key of the <see cref="TimeProvider"/> schedule grains read the time from; unregistered, they use the
    /// silo's <see cref="TimeProvider"/>. Tests register a fake clock under it to drive schedules alone.
    /// </summary>
    public const string ClockServiceKey = "dtq-schedules";

    /// <summary>
    /// Period of the reminder that keeps each schedule grain alive (default 1 minute, Orleans' usual minimum). A fire does
    /// not wait for it: a grain timer fires each occurrence at its instant. It bounds how soon a schedule whose silo died
    /// fires again elsewhere. Below 1 minute (tests), Orleans' minimum reminder period is lowered to match. At most
    /// 10 minutes: the ticks are what keeps an idle schedule grain from being collected (Orleans' default idle age is
    /// 15 minutes), and a collected grain's timer is gone until the next tick.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
