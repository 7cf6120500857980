namespace DistributedTaskQueue;

/// <summary>One task as the client hands it to its queue partition: name, JSON payload and resolved options.</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskSubmission")]
public sealed record TaskSubmission
{
    /// <summary>The task's stable name.</summary>
    [Id(0)] public required string TaskName { get; init; }

    /// <summary>The payload as UTF-8 JSON.</summary>
    [Id(1)] public required byte[] Payload { get; init; }

    /// <summary>Its priority.</summary>
    [Id(2)] public TaskPriority Priority { get; init; } = TaskPriority.Normal;

    /// <summary>Retry policy; null means the silo's default.</summary>
    [Id(3)] public RetryPolicy? Retry { get; init; }

    /// <summary>Per-attempt timeout; null means the worker's default.</summary>
    [Id(4)] public TimeSpan? Timeout { get; init; }

    /// <summary>Not started before this time.</summary>
    [Id(5)] public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Not started after this time.</summary>
    [Id(6)] public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Result retention; null means the silo's default.</summary>
    [Id(7)] public TimeSpan? ResultTtl { get; init; }

    /// <summary>Makes the submit idempotent.</summary>
    [Id(8)] public string? IdempotencyKey { get; init; }
}

/// <summary>A task handed to a worker under a lease; <see cref="Lease"/> is its fencing token.</summary>
[GenerateSerializer, Immutable, Alias("dtq.LeasedTask")]
public sealed record LeasedTask(
    [property: Id(0)] TaskId Id,
    [property: Id(1)] string TaskName,
    [property: Id(2)] byte[] Payload,
    [property: Id(3)] LeaseToken Lease,
    [property: Id(4)] TimeSpan? Timeout,
    [property: Id(5)] DateTimeOffset EnqueuedAt)
{
    /// <summary>1 for the first attempt (the lease's attempt number).</summary>
    public int Attempt => Lease.Attempt;
}

/// <summary>What one attempt came to: a closed set, turned from the handler's outcome in one place (the executor).</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskOutcome")]
public abstract record TaskOutcome
{
    /// <summary>The handler returned a result (UTF-8 JSON).</summary>
    [GenerateSerializer, Immutable, Alias("dtq.TaskOutcome.Succeeded")]
    public sealed record Succeeded([property: Id(0)] byte[] Result) : TaskOutcome;

    /// <summary>The attempt was stopped without an outcome (the worker is shutting down): the task goes back in line, no failure counted.</summary>
    [GenerateSerializer, Immutable, Alias("dtq.TaskOutcome.Released")]
    public sealed record Released : TaskOutcome;

    /// <summary>The attempt failed; <see cref="Retryable"/> says whether the retry policy may try again.</summary>
    [GenerateSerializer, Immutable, Alias("dtq.TaskOutcome.Failed")]
    public sealed record Failed([property: Id(0)] TaskError Error, [property: Id(1)] bool Retryable) : TaskOutcome;
}

/// <summary>A worker's report of one finished attempt, fenced by the lease it ran under.</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskCompletion")]
public sealed record TaskCompletion(
    [property: Id(0)] LeaseToken Lease,
    [property: Id(1)] TaskOutcome Outcome)
{
    /// <summary>The task's sequence in its partition.</summary>
    public long Sequence => Lease.Sequence;

    /// <summary>The attempt number the outcome belongs to.</summary>
    public int Attempt => Lease.Attempt;
}

/// <summary>
/// The one fencing token: a task's sequence in its partition, the attempt number, and the epoch (the activation of
/// the partition that granted the lease). A lease, a renewal, a completion and a cancel all name their attempt by
/// it, and a late zombie's token never equals a current one. No part of it has a default.
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.LeaseToken")]
public readonly record struct LeaseToken([property: Id(0)] long Sequence, [property: Id(1)] int Attempt, [property: Id(2)] long Epoch);
