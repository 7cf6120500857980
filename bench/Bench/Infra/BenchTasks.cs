using System.Text.Json;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>
/// Typed stand-ins for the silo's built-in tasks, only so that the typed <c>SubmitBatchAsync</c> can submit them:
/// the client has no batch submit by task name and raw JSON. The names are the built-in ones, so the stock silo runs them.
/// </summary>
[TaskName(BuiltInTasks.NoOp)]
internal sealed record NoopTask(string? Data) : ITask<JsonElement>
{
    /// <summary>A payload of exactly <paramref name="bytes"/> bytes of JSON (at least 11): <c>{"data":"xxx…"}</c>.</summary>
    public static NoopTask OfPayloadBytes(int bytes) => new(bytes <= 11 ? null : new string('x', bytes - 11));

    /// <summary>The same payload as a raw JSON string, for the by-name single submit.</summary>
    public static string RawPayload(int bytes) => bytes <= 11 ? "null" : "{\"data\":\"" + new string('x', bytes - 11) + "\"}";
}

[TaskName(BuiltInTasks.Sleep)]
internal sealed record SleepTask(int Milliseconds) : ITask<JsonElement>;
