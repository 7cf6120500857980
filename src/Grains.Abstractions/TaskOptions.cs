namespace DistributedTaskQueue;

/// <summary>Per-submit options. Anything left null falls back to the task type's <see cref="TaskDefaultsAttribute"/>, then to the queue's defaults.</summary>
public sealed record TaskOptions
{
    /// <summary>Priority within the queue.</summary>
    public TaskPriority? Priority { get; init; }

    /// <summary>How failures are retried.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>How long one attempt may run before its cancellation token fires and it counts as failed.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Do not start before this time.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Do not start before this long after submit. Ignored when <see cref="NotBefore"/> is set.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>A key that makes the submit idempotent: submitting again with the same key returns the first task's id.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>How long the result is kept after the task finishes.</summary>
    public TimeSpan? ResultTtl { get; init; }

    /// <summary>Do not start after this time: a task still pending then is dead-lettered as expired.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
