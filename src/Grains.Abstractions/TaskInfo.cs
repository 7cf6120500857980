using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>A snapshot of one task: where it is, how many attempts it took, its result or its errors.</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskInfo")]
public sealed record TaskInfo
{
    /// <summary>The task's id.</summary>
    [Id(0)] public required TaskId Id { get; init; }

    /// <summary>The task's stable name.</summary>
    [Id(1)] public required string TaskName { get; init; }

    /// <summary>Where it is in its lifecycle.</summary>
    [Id(2)] public required TaskState State { get; init; }

    /// <summary>Its priority.</summary>
    [Id(3)] public required TaskPriority Priority { get; init; }

    /// <summary>Attempts started so far (1 while the first runs).</summary>
    [Id(4)] public int Attempts { get; init; }

    /// <summary>When the submit was accepted.</summary>
    [Id(5)] public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>When the latest attempt started.</summary>
    [Id(6)] public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it finished (succeeded, dead-lettered or cancelled).</summary>
    [Id(7)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Not started before this time (delayed submit or retry backoff).</summary>
    [Id(8)] public DateTimeOffset? NotBefore { get; init; }

    /// <summary>
    /// The handler's result as UTF-8 JSON, once succeeded: the bytes the partition stored, sent as they are and read-only to callers (field 9, a
    /// string, is retired: a result crossed the wire as text and was turned back into bytes to be deserialized).
    /// </summary>
    [Id(12), JsonIgnore] public ReadOnlyMemory<byte>? Result { get; init; }

    /// <summary>The result as JSON text (decoded on each call; the JSON API shows this).</summary>
    public string? ResultJson => Result is null ? null : Encoding.UTF8.GetString(Result.Value.Span);

    /// <summary>The result deserialized as <typeparamref name="TResult"/>, or default when there is none.</summary>
    /// <exception cref="TaskResultTypeException">The stored JSON is not a <typeparamref name="TResult"/>.</exception>
    public TResult? GetResult<TResult>()
    {
        if (Result is null) return default;
        try
        {
            return TaskJson.Deserialize<TResult>(Result.Value.Span);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            var json = ResultJson!;
            var shown = json.Length > 80 ? json[..80] + "…" : json;
            throw new TaskResultTypeException(
                $"Task {Id}'s result is a JSON {TaskJson.KindOf(Result.Value.Span)} ({shown}) and cannot be read as {typeof(TResult)}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The task's payload as UTF-8 JSON: only on a task's detail (the client's GetTaskAsync); waits and
    /// lists leave it out, so the bytes of large payloads do not ride on every poll.
    /// </summary>
    [Id(13), JsonIgnore] public ReadOnlyMemory<byte>? Payload { get; init; }

    /// <summary>The payload as JSON text, when this snapshot carries it (the JSON API shows this).</summary>
    public string? PayloadJson => Payload is null ? null : Encoding.UTF8.GetString(Payload.Value.Span);

    /// <summary>The worker that runs (or last ran) it: its silo's address, optionally prefixed with a name and '@'.</summary>
    [Id(11)] public string? Worker { get; init; }

    /// <summary>Errors of failed attempts, most recent first (bounded).</summary>
    [Id(10)] public IReadOnlyList<TaskError> Errors { get; init; } = [];

    /// <summary>The most recent error, if any.</summary>
    public TaskError? LastError => Errors.Count > 0 ? Errors[0] : null;
}
