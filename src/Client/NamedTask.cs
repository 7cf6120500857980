namespace DistributedTaskQueue;

/// <summary>
/// A task given by name and JSON payload rather than by a .NET type, with its own options: one item of
/// <see cref="TaskClient.SubmitBatchAsync(IEnumerable{NamedTask}, string?)"/> (the JSON API's batch route uses it).
/// </summary>
/// <param name="TaskName">The task's stable name, as its handler registers it.</param>
/// <param name="PayloadJson">The payload as one JSON value (<c>null</c> for none).</param>
/// <param name="Options">Per-task options; null for the defaults.</param>
public sealed record NamedTask(string TaskName, string PayloadJson, TaskOptions? Options = null);
