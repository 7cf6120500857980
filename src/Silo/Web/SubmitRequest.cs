// The JSON bodies of the submit routes and how they become a NamedTask for the co-hosted TaskClient. Every
// TaskOptions field can be given; TimeSpans are "[d.]hh:mm:ss[.fffffff]" (System.Text.Json's format), times ISO 8601.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>
/// The body of <c>POST /api/queues/{queue}/tasks</c> and one item of <c>…/tasks/batch</c>. Unknown properties are
/// refused (a misspelt option would otherwise be dropped silently); fields left out take the queue's defaults.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubmitRequest
{
    /// <summary>The task's name (required).</summary>
    public string? TaskName { get; init; }

    /// <summary>The payload: any JSON value; left out means JSON null.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>A name (<c>"High"</c>, any case) or a number (0-3).</summary>
    public JsonElement? Priority { get; init; }

    /// <summary>Makes the submit idempotent: the same key returns the first task's id.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Do not start before this time.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Do not start before this long after submit (ignored when <see cref="NotBefore"/> is set).</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>How long one attempt may run.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Do not start after this time (dead-lettered as expired).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>How long the result is kept.</summary>
    public TimeSpan? ResultTtl { get; init; }

    /// <summary>How failures are retried; fields left out take the queue's default policy's values.</summary>
    public RetryRequest? Retry { get; init; }

    /// <summary>The task as the client submits it; throws <see cref="InvalidTaskException"/> for a priority that is neither a name nor a whole number.</summary>
    internal NamedTask ToNamedTask(RetryPolicy defaultRetry) => new(
        TaskName ?? "",
        Payload is { } payload ? JsonSerializer.Serialize(payload) : "null",
        new TaskOptions
        {
            Priority = ParsePriority(Priority),
            Retry = Retry?.Over(defaultRetry),
            Timeout = Timeout,
            NotBefore = NotBefore,
            Delay = Delay,
            IdempotencyKey = IdempotencyKey,
            ResultTtl = ResultTtl,
            ExpiresAt = ExpiresAt,
        });

    /// <summary>
    /// A name in any case, or a whole number; a number out of range passes through so that <see cref="TaskRules"/>
    /// refuses it with the same words as for any client.
    /// </summary>
    internal static TaskPriority? ParsePriority(JsonElement? value)
    {
        if (value is not { } json || json.ValueKind == JsonValueKind.Null) return null;
        if (json.ValueKind == JsonValueKind.String)
        {
            var text = json.GetString();
            foreach (var priority in Enum.GetValues<TaskPriority>())
            {
                if (string.Equals(priority.ToString(), text, StringComparison.OrdinalIgnoreCase)) return priority;
            }
            throw new InvalidTaskException("Priority", $"Priority '{text}' is not one of Low, Normal, High, Critical (or 0-3).");
        }
        if (json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var number)) return (TaskPriority)number;
        throw new InvalidTaskException("Priority", $"Priority must be a name (Low, Normal, High, Critical) or a number 0-3, was {json.GetRawText()}.");
    }
}
