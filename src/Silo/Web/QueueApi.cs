// The queue routes of the JSON API for operators and the queue pages: every queue with its counts, a queue's tasks by
// state, pause, resume, purge, and one dead letter's retry or delete. Each goes through the co-hosted TaskClient; errors
// are problem details (ApiProblems): 404 for a task nobody has, 409 for one in the wrong state.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

internal static class QueueApi
{
    private const int DefaultTaskLimit = 50;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/queues", async (TaskClient client) =>
            Results.Json((await client.ListQueuesAsync()).Select(q => new { queue = q.Queue, stats = q.Stats }), TaskJson.Options));
        api.MapGet("/queues/{queue}/tasks", async (string queue, string? state, string? limit, TaskClient client, HttpContext http, IOptions<AccessOptions> access) =>
        {
            var size = limit is null ? DefaultTaskLimit : TaskQueueApi.ParseLimit(limit, TaskListing.MaxLimit);
            var tasks = await client.ListTasksAsync(queue, ParseState(state), size);
            return Results.Json(tasks.Select(t => t.ShownTo(http.User, access.Value)), TaskJson.Options);
        });
        api.MapPost("/queues/{queue}/pause", async (string queue, TaskClient client) =>
        {
            await client.PauseQueueAsync(queue);
            return Results.Json(new { paused = true }, TaskJson.Options);
        });
        api.MapPost("/queues/{queue}/resume", async (string queue, TaskClient client) =>
        {
            await client.ResumeQueueAsync(queue);
            return Results.Json(new { paused = false }, TaskJson.Options);
        });
        api.MapPost("/queues/{queue}/purge", async (string queue, string? taskName, TaskClient client) =>
            Results.Json(new { purged = await client.PurgeQueueAsync(queue, taskName) }, TaskJson.Options));
        api.MapPost("/tasks/{id}/retry", async (string id, TaskClient client) =>
        {
            var taskId = await DeadLetterAsync(id, client, "retried");
            if (!await client.RetryDeadLetterAsync(taskId)) throw NotADeadLetter(id, "retried");
            return Results.Json(new { retried = true }, TaskJson.Options);
        });
        api.MapDelete("/tasks/{id}", async (string id, TaskClient client) =>
        {
            var taskId = await DeadLetterAsync(id, client, "deleted");
            if (!await client.DeleteDeadLetterAsync(taskId)) throw NotADeadLetter(id, "deleted");
            return Results.Json(new { deleted = true }, TaskJson.Options);
        });
    }

    /// <summary>The listed states by their API names; delayed is Scheduled and Retrying alike.</summary>
    private static TaskState ParseState(string? state) => state?.ToUpperInvariant() switch
    {
        null or "PENDING" => TaskState.Pending,
        "RUNNING" => TaskState.Running,
        "DELAYED" => TaskState.Scheduled,
        _ => throw new ApiProblemException(StatusCodes.Status400BadRequest, "Bad request", $"state must be pending, running or delayed, was '{state}'.", "state"),
    };

    /// <summary>The id of a task that is a dead letter now: 404 when there is no such task, 409 when it is not a dead letter.</summary>
    private static async Task<TaskId> DeadLetterAsync(string id, TaskClient client, string verb)
    {
        var taskId = TaskQueueApi.ParseTaskId(id, client);
        var info = await client.GetTaskAsync(taskId) ?? throw TaskQueueApi.NoSuchTask(id);
        return info.State == TaskState.DeadLettered ? taskId : throw NotADeadLetter(id, verb, info.State);
    }

    private static ApiProblemException NotADeadLetter(string id, string verb, TaskState? state = null) =>
        new(StatusCodes.Status409Conflict, "Not a dead letter",
            $"Task {id} is {(state is { } s ? s.ToString() : "no longer a dead letter")}: only a dead letter can be {verb} this way.");
}
