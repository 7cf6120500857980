namespace DistributedTaskQueue.Schedules;

/// <summary>
/// What a schedule grain stores (storage <c>dtq-schedules</c>, Orleans binary serializer: [Id] fields, [Alias] names).
/// <see cref="Cursor"/> is the durable record of invariant 8: every occurrence at or before it was fired or skipped.
/// </summary>
[GenerateSerializer, Alias("dtq.ScheduleState")]
internal sealed class ScheduleState
{
    [Id(0)] public ScheduleDefinition? Definition { get; set; }

    [Id(1)] public DateTimeOffset CreatedAt { get; set; }

    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the current timing was set (kept by updates that leave the timing alone): every N minutes counts from it.</summary>
    [Id(3)] public DateTimeOffset DefinedAt { get; set; }

    /// <summary>The last occurrence dealt with: later ones are still to come (or due now).</summary>
    [Id(4)] public DateTimeOffset Cursor { get; set; }

    [Id(5)] public bool Paused { get; set; }

    [Id(6)] public DateTimeOffset? LastOccurrence { get; set; }

    [Id(7)] public DateTimeOffset? LastRunAt { get; set; }

    [Id(8)] public TaskId? LastTaskId { get; set; }

    [Id(9)] public long FireCount { get; set; }

    [Id(10)] public long TriggerCount { get; set; }

    [Id(11)] public long SkipCount { get; set; }

    [Id(12)] public string? LastError { get; set; }

    /// <summary>Most recent first. An array, not an interface, so the stored bytes name no .NET collection type.</summary>
    [Id(13)] public ScheduleFire[] RecentFires { get; set; } = [];

    /// <summary>The instant in the last trigger's key: the next trigger's is later, so no two triggers share a key.</summary>
    [Id(14)] public DateTimeOffset? LastTriggeredAt { get; set; }

    /// <summary>
    /// Drawn when the schedule is created, kept by updates, and part of every key it submits under
    /// (<see cref="ScheduleKeys"/>): a removal clears the state, so the same name created again keys its fires apart from
    /// the removed schedule's tasks. Null in a schedule stored before incarnations existed, which keeps its old keys.
    /// </summary>
    [Id(15)] public string? Incarnation { get; set; }
}
