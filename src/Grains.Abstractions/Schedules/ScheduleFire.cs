namespace DistributedTaskQueue;

/// <summary>One task a schedule submitted: for which occurrence (or manual trigger time), and when.</summary>
[GenerateSerializer, Immutable, Alias("dtq.ScheduleFire")]
public sealed record ScheduleFire(
    [property: Id(0)] DateTimeOffset Occurrence,
    [property: Id(1)] TaskId TaskId,
    [property: Id(2)] DateTimeOffset FiredAt,
    [property: Id(3)] bool Manual);
