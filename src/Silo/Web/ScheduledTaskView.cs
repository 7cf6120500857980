using System.Text.Json;

namespace DistributedTaskQueue;

/// <summary>The task a schedule submits at each fire.</summary>
public sealed record ScheduledTaskView
{
    public required string TaskName { get; init; }
    public JsonElement Payload { get; init; }
    public TaskPriority Priority { get; init; }
    public TimeSpan? Timeout { get; init; }
    public TimeSpan? ResultTtl { get; init; }
    public RetryPolicy? Retry { get; init; }
}
