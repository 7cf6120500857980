// The silo's JSON API (health, worker, queue statistics, task status, submit, cancel, dead letters, schedules) for the CLI and
// non-.NET callers. Every route goes through the co-hosted TaskClient, so it refuses what any client refuses (TaskRules)
// and spreads submits over partitions the same way; every error is problem details (ApiProblems).
using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>The silo's JSON API. The README lists every route with an example request and response.</summary>
public static class TaskQueueApi
{
    private const string SubmitExample = """{"taskName": "dtq.echo", "payload": {"a": 1}, "priority": "High"}""";
    private const int MaxListLimit = 10_000;

    /// <summary>
    /// Maps <c>/health/live</c>, <c>/health/ready</c>, <c>/healthz</c> and <c>/api/…</c>. Needs a <see cref="TaskClient"/> in DI (a task-queue silo registers one
    /// on its own grain factory).
    /// </summary>
    public static IEndpointRouteBuilder MapTaskQueueApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapTaskQueueHealth();
        // Every route behind the access rules: loopback only until keys are configured, then a key; ReadOnly keys only read.
        var api = endpoints.MapGroup("/api").RequireAuthorization(AccessPolicy.Name);
        api.AddEndpointFilter(ApiProblems.FilterAsync);
        api.AddEndpointFilter(CsrfGuard.FilterAsync);
        // The antiforgery token (and its cookie) the queue pages send with every unsafe request.
        api.MapGet("/csrf", (HttpContext http, IAntiforgery antiforgery) =>
            Results.Json(new { token = antiforgery.GetAndStoreTokens(http).RequestToken }, TaskJson.Options));
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
        api.MapGet("/queues/{queue}/stats", async (string queue, TaskClient client) =>
            Results.Json(await client.GetQueueStatsAsync(queue), TaskJson.Options));
        api.MapGet("/tasks/{id}", async (string id, TaskClient client, HttpContext http, IOptions<AccessOptions> access) =>
        {
            var taskId = ParseTaskId(id, client);
            var info = await client.GetTaskAsync(taskId) ?? throw NoSuchTask(id);
            return Results.Json(info.ShownTo(http.User, access.Value), TaskJson.Options);
        });
        api.MapPost("/tasks/{id}/cancel", async (string id, TaskClient client) =>
        {
            var taskId = ParseTaskId(id, client);
            // Cancel answers false both for an unknown task and a finished one; only the first is a 404.
            if (await client.GetTaskAsync(taskId) is null) throw NoSuchTask(id);
            return Results.Json(new { cancelled = await client.CancelAsync(taskId) }, TaskJson.Options);
        });
        api.MapGet("/queues/{queue}/dead", async (string queue, string? limit, TaskClient client, HttpContext http, IOptions<AccessOptions> access) =>
            Results.Json((await client.ListDeadLettersAsync(queue, ParseLimit(limit))).Select(t => t.ShownTo(http.User, access.Value)), TaskJson.Options));
        api.MapPost("/queues/{queue}/dead/retry", async (string queue, string? taskName, TaskClient client) =>
            Results.Json(new { retried = await client.RetryDeadLettersAsync(queue, taskName) }, TaskJson.Options));
        api.MapDelete("/queues/{queue}/dead", async (string queue, string? taskName, TaskClient client) =>
            Results.Json(new { purged = await client.PurgeDeadLettersAsync(queue, taskName) }, TaskJson.Options));
        api.MapPost("/queues/{queue}/tasks", async (string queue, HttpRequest request, TaskClient client) =>
        {
            var body = await ApiProblems.ReadBodyAsync<SubmitRequest>(request, SubmitExample);
            var task = body.ToNamedTask(client.Options.DefaultRetry);
            var id = await client.SubmitAsync(task.TaskName, task.PayloadJson, queue, task.Options);
            request.HttpContext.Response.Headers.Location = $"/api/tasks/{id}";
            return Results.Json(new { id = id.ToString() }, TaskJson.Options, statusCode: StatusCodes.Status202Accepted);
        });
        api.MapPost("/queues/{queue}/tasks/batch", async (string queue, HttpRequest request, TaskClient client) =>
        {
            var body = await ApiProblems.ReadBodyAsync<List<SubmitRequest?>>(request, $"[{SubmitExample}]");
            var tasks = body.Select((item, i) => item is null
                ? throw new ApiProblemException(StatusCodes.Status400BadRequest, "Malformed request body", $"Batch item {i} is null; each item is a task object.")
                : item.ToNamedTask(client.Options.DefaultRetry)).ToList();
            var ids = await client.SubmitBatchAsync(tasks, queue);
            return Results.Json(new { ids = ids.Select(i => i.ToString()) }, TaskJson.Options, statusCode: StatusCodes.Status202Accepted);
        });
        ScheduleApi.Map(api);
        QueueApi.Map(api);
        WorkerApi.Map(api);
        return endpoints;
    }

    /// <summary>A task id this deployment could hold; an id naming a partition past PartitionsPerQueue names no task (and wakes no grain).</summary>
    internal static TaskId ParseTaskId(string id, TaskClient client)
    {
        if (!TaskId.TryParse(id, out var taskId))
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid task id", $"'{id}' is not a task id (queue:partition:sequence).", "Id");
        if (taskId.Partition >= client.Options.PartitionsPerQueue) throw NoSuchTask(id);
        return taskId;
    }

    internal static ApiProblemException NoSuchTask(string id) =>
        new(StatusCodes.Status404NotFound, "Unknown task", $"No task {id} (never submitted, or past its retention).");

    /// <summary>A list route's <c>limit</c>: 100 when left out, else a whole number 1..<paramref name="max"/>.</summary>
    internal static int ParseLimit(string? limit, int max = MaxListLimit)
    {
        if (limit is null) return 100;
        return int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max
            ? value
            : throw new ApiProblemException(StatusCodes.Status400BadRequest, "Bad request", $"limit must be a whole number 1-{max}, was '{limit}'.", "limit");
    }
}
