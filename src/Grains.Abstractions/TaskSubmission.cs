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

    /// <summary>The client's name for this item of this call, so a retried submit finds the task it may already have made.</summary>
    [Id(9)] public SubmitToken? Token { get; init; }

    /// <summary>The submitter's W3C trace parent (<see cref="TaskTracing"/>): each attempt's span is its child.</summary>
    [Id(10)] public string? TraceParent { get; init; }
}
