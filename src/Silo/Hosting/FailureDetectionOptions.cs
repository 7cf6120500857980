namespace DistributedTaskQueue;

/// <summary>
/// How fast a silo that died (or froze) is declared dead, so the partitions it hosted come back on other silos and its
/// running tasks run again (section <c>TaskQueue:FailureDetection</c>). Orleans' defaults take 20-60 s; ours aim at
/// under 10 s while a silo that is only slow (a 2 s pause) stays alive. Applied to Orleans'
/// <c>ClusterMembershipOptions</c> by <c>UseTaskQueueSilo</c>.
/// </summary>
public sealed class FailureDetectionOptions
{
    /// <summary>
    /// The first timeout of a liveness probe (1 s). Orleans adapts it per silo to observed response times, between
    /// half of it and <see cref="MaxProbeTimeout"/>.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a probe may wait (1.5 s). Times <see cref="MissedProbesLimit"/> it is also the window in which a message
    /// received from a silo vetoes suspecting it (4.5 s): a frozen silo is suspected only after that.
    /// </summary>
    public TimeSpan MaxProbeTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Probes in a row a silo must miss to be suspected (3): one or two missed probes are a pause, not a death.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Suspicions needed to declare a silo dead (2; Orleans asks no more than half the live silos).</summary>
    public int VotesForDeathDeclaration { get; set; } = 2;

    /// <summary>How often each silo re-reads the membership table (10 s), a backstop for gossip that did not arrive.</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
