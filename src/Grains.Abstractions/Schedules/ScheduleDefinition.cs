namespace DistributedTaskQueue;

/// <summary>Everything a schedule is: when it fires, the task it submits to which queue, and its policies.</summary>
[GenerateSerializer, Immutable, Alias("dtq.ScheduleDefinition")]
public sealed record ScheduleDefinition
{
    /// <summary>When it fires.</summary>
    [Id(0)] public required ScheduleKind Kind { get; init; }

    /// <summary>The queue its tasks go to.</summary>
    [Id(1)] public required string Queue { get; init; }

    /// <summary>
    /// The task each fire submits: name, JSON payload and resolved options (priority, retry, timeout, result
    /// retention). The schedule sets the idempotency key; a not-before or expiry time is refused.
    /// </summary>
    [Id(2)] public required TaskSubmission Task { get; init; }

    /// <summary>Misfire and overlap policies.</summary>
    [Id(3)] public SchedulePolicies Policies { get; init; } = SchedulePolicies.Default;
}
