namespace DistributedTaskQueue;

/// <summary>
/// The pause between two tries of a repeatable call while the cluster answers "unavailable": short at first (a
/// partition reloads in well under a second), doubling to a cap so that a longer outage is not hammered.
/// </summary>
internal static class UnavailableBackoff
{
    /// <summary>How many times a repeatable call is tried again whatever its deadline (what a gateway's restart needs).</summary>
    public const int QuickTries = 3;

    public static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(2);

    public static TimeSpan Next(TimeSpan current) => current * 2 < Cap ? current * 2 : Cap;
}
