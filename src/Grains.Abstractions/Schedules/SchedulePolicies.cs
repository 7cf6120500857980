namespace DistributedTaskQueue;

/// <summary>How a schedule treats missed occurrences and overlapping runs.</summary>
[GenerateSerializer, Immutable, Alias("dtq.SchedulePolicies")]
public sealed record SchedulePolicies
{
    /// <summary>Longest <see cref="MisfireThreshold"/>.</summary>
    public static readonly TimeSpan MaxMisfireThreshold = TimeSpan.FromDays(1);

    /// <summary>Fire missed occurrences once; allow overlap; one minute of grace.</summary>
    public static SchedulePolicies Default { get; } = new();

    /// <summary>What to do with missed occurrences (default <see cref="MisfirePolicy.FireOnce"/>).</summary>
    [Id(0)] public MisfirePolicy Misfire { get; init; } = MisfirePolicy.FireOnce;

    /// <summary>Whether to fire while the previous task is still pending or running (default <see cref="OverlapPolicy.Allow"/>).</summary>
    [Id(1)] public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Allow;

    /// <summary>
    /// How late an occurrence may fire and still count as on time (default 1 minute, at most a day). One the schedule
    /// comes to later than this (after an outage) is missed, and <see cref="Misfire"/> decides.
    /// </summary>
    [Id(2)] public TimeSpan MisfireThreshold { get; init; } = TimeSpan.FromMinutes(1);
}
