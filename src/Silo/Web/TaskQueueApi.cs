using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>The silo's JSON API: health, queue statistics, task status, and submit (for the CLI and non-.NET callers).</summary>
public static class TaskQueueApi
{
    /// <summary>The body of <c>POST /api/queues/{queue}/tasks</c>.</summary>
    public sealed record SubmitRequest(string TaskName, JsonElement? Payload, TaskPriority Priority = TaskPriority.Normal);

    /// <summary>Maps <c>/healthz</c> and <c>/api/…</c>.</summary>
    public static IEndpointRouteBuilder MapTaskQueueApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        var api = endpoints.MapGroup("/api");
        api.MapGet("/worker", (WorkerMetrics metrics, IOptions<WorkerOptions> worker) => Results.Json(new
        {
            workerId = metrics.WorkerId,
            queues = worker.Value.Queues,
            maxConcurrentTasks = worker.Value.MaxConcurrentTasks,
            running = metrics.Running,
            succeeded = metrics.Succeeded,
            failed = metrics.Failed,
            released = metrics.Released,
        }, TaskJson.Options));
        api.MapGet("/queues/{queue}/stats", async (string queue, IGrainFactory grains, IOptions<TaskQueueOptions> options) =>
        {
            if (!QueueNames.IsValid(queue)) return Results.BadRequest(new { error = $"Invalid queue name '{queue}'." });
            var stats = await Task.WhenAll(Partitions(grains, options, queue).Select(p => p.GetStatsAsync()));
            return Results.Json(stats.Aggregate((a, b) => a.Add(b)), TaskJson.Options);
        });
        api.MapGet("/tasks/{id}", async (string id, IGrainFactory grains) =>
        {
            if (!TaskId.TryParse(id, out var taskId)) return Results.BadRequest(new { error = $"'{id}' is not a task id." });
            var info = await grains.GetGrain<ITaskQueueGrain>(taskId.PartitionKey).GetTaskAsync(taskId.Sequence);
            return info is null ? Results.NotFound(new { error = $"No task {id}." }) : Results.Json(info, TaskJson.Options);
        });
        api.MapPost("/tasks/{id}/cancel", async (string id, IGrainFactory grains) =>
        {
            if (!TaskId.TryParse(id, out var taskId)) return Results.BadRequest(new { error = $"'{id}' is not a task id." });
            var cancelled = await grains.GetGrain<ITaskQueueGrain>(taskId.PartitionKey).CancelAsync(taskId.Sequence);
            return Results.Json(new { cancelled }, TaskJson.Options);
        });
        api.MapGet("/queues/{queue}/dead", async (string queue, int? limit, IGrainFactory grains, IOptions<TaskQueueOptions> options) =>
        {
            if (!QueueNames.IsValid(queue)) return Results.BadRequest(new { error = $"Invalid queue name '{queue}'." });
            var parts = await Task.WhenAll(Partitions(grains, options, queue).Select(p => p.ListDeadLettersAsync(-1, limit ?? 100)));
            return Results.Json(parts.SelectMany(p => p).OrderBy(t => t.FinishedAt).Take(limit ?? 100), TaskJson.Options);
        });
        api.MapPost("/queues/{queue}/dead/retry", async (string queue, string? taskName, IGrainFactory grains, IOptions<TaskQueueOptions> options) =>
        {
            if (!QueueNames.IsValid(queue)) return Results.BadRequest(new { error = $"Invalid queue name '{queue}'." });
            var counts = await Task.WhenAll(Partitions(grains, options, queue).Select(p => p.RetryDeadLettersAsync(null, taskName)));
            return Results.Json(new { retried = counts.Sum() }, TaskJson.Options);
        });
        api.MapDelete("/queues/{queue}/dead", async (string queue, string? taskName, IGrainFactory grains, IOptions<TaskQueueOptions> options) =>
        {
            if (!QueueNames.IsValid(queue)) return Results.BadRequest(new { error = $"Invalid queue name '{queue}'." });
            var counts = await Task.WhenAll(Partitions(grains, options, queue).Select(p => p.PurgeDeadLettersAsync(null, taskName)));
            return Results.Json(new { purged = counts.Sum() }, TaskJson.Options);
        });
        api.MapPost("/queues/{queue}/tasks", async (string queue, SubmitRequest request, IGrainFactory grains, IOptions<TaskQueueOptions> options) =>
        {
            try
            {
                QueueNames.Validate(queue);
                var payload = request.Payload is { } json ? JsonSerializer.SerializeToUtf8Bytes(json) : "null"u8.ToArray();
                var submission = new TaskSubmission { TaskName = request.TaskName, Payload = payload, Priority = request.Priority };
                // Round robin over the queue's partitions, as the client does, so an API-fed queue spreads its writes too.
                var partition = (int)((uint)Interlocked.Increment(ref _nextPartition) % (uint)options.Value.PartitionsPerQueue);
                var ids = await grains.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, partition)).SubmitAsync([submission]);
                return Results.Json(new { id = ids[0].ToString() }, TaskJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            catch (InvalidTaskException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }
        });
        return endpoints;
    }

    private static int _nextPartition;

    private static IEnumerable<ITaskQueueGrain> Partitions(IGrainFactory grains, IOptions<TaskQueueOptions> options, string queue) =>
        Enumerable.Range(0, options.Value.PartitionsPerQueue).Select(p => grains.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, p)));
}
