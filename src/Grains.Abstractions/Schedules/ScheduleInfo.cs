namespace DistributedTaskQueue;

/// <summary>A snapshot of one schedule: its definition, when it fires next, what it fired last and its counts.</summary>
[GenerateSerializer, Immutable, Alias("dtq.ScheduleInfo")]
public sealed record ScheduleInfo
{
    /// <summary>The schedule's id (its name).</summary>
    [Id(0)] public required ScheduleId Id { get; init; }

    /// <summary>Its timing, task, queue and policies.</summary>
    [Id(1)] public required ScheduleDefinition Definition { get; init; }

    /// <summary>When it was first created (updates keep this).</summary>
    [Id(2)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last created or updated.</summary>
    [Id(3)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether it is paused (it fires nothing until resumed).</summary>
    [Id(4)] public bool Paused { get; init; }

    /// <summary>The next occurrence it will fire (UTC); null when paused or when it will fire no more (a once-schedule that fired).</summary>
    [Id(5)] public DateTimeOffset? NextRun { get; init; }

    /// <summary>The last occurrence it fired (UTC), not counting manual triggers.</summary>
    [Id(6)] public DateTimeOffset? LastOccurrence { get; init; }

    /// <summary>When it last submitted a task (an occurrence or a manual trigger).</summary>
    [Id(7)] public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>The last task it submitted.</summary>
    [Id(8)] public TaskId? LastTaskId { get; init; }

    /// <summary>That task's state now (null when it is unknown: expired by retention, or its queue did not answer).</summary>
    [Id(9)] public TaskState? LastTaskState { get; init; }

    /// <summary>Occurrences fired (each submitted one task).</summary>
    [Id(10)] public long FireCount { get; init; }

    /// <summary>Manual triggers (each submitted one task).</summary>
    [Id(11)] public long TriggerCount { get; init; }

    /// <summary>Occurrences not fired: missed and skipped by the misfire policy, skipped by the overlap policy, or refused by the queue.</summary>
    [Id(12)] public long SkipCount { get; init; }

    /// <summary>Why the last fire that failed was refused by the queue (for example an unknown task name), if any.</summary>
    [Id(13)] public string? LastError { get; init; }

    /// <summary>The last fires and triggers, most recent first (at most 10).</summary>
    [Id(14)] public IReadOnlyList<ScheduleFire> RecentFires { get; init; } = [];

    /// <summary>
    /// Part of the idempotency key of every task it submits, <c>{name}:{occurrenceUtc:O}:{Incarnation}</c>: drawn when
    /// the schedule is created and kept by updates, so the same name created again after a removal never shares the
    /// removed schedule's keys. Null for a schedule stored by a release without incarnations, whose keys stay <c>{name}:{occurrenceUtc:O}</c>.
    /// </summary>
    [Id(15)] public string? Incarnation { get; init; }
}
