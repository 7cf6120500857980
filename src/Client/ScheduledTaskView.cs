using System.Text.Json;

namespace DistributedTaskQueue;

/// <summary>The task a schedule submits at each fire.</summary>
public sealed record ScheduledTaskView
{
    /// <summary>The task's stable name.</summary>
    public required string TaskName { get; init; }
    /// <summary>Its payload, as JSON.</summary>
    public JsonElement Payload { get; init; }
    /// <summary>Its priority.</summary>
    public TaskPriority Priority { get; init; }
    /// <summary>Timeout of one attempt, if set.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>How long its result is kept, if set.</summary>
    public TimeSpan? ResultTtl { get; init; }
    /// <summary>Its retry policy, if set.</summary>
    public RetryPolicy? Retry { get; init; }
}
