// The schedule routes of the JSON API: create or replace, list (paged), read, pause, resume, trigger, remove. Each goes
// through the co-hosted TaskClient's Schedules, so it refuses what any client refuses (ScheduleRules).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

internal static class ScheduleApi
{
    private const string Example = """{"cron": "0 9 * * MON-FRI", "timeZone": "Europe/Berlin", "task": {"taskName": "reports.daily", "payload": {}}}""";

    public static void Map(RouteGroupBuilder api)
    {
        var schedules = api.MapGroup("/schedules");
        schedules.MapGet("", async (string? limit, string? page, TaskClient client, HttpContext http, IOptions<AccessOptions> access) =>
        {
            var size = TaskQueueApi.ParseLimit(limit, max: 1000);
            var result = await client.Schedules.ListAsync(size, page);
            var shown = result.Schedules.Select(s => ScheduleView.Of(s).ShownTo(http.User, access.Value));
            return Results.Json(new { schedules = shown, nextPage = result.NextPageToken }, TaskJson.Options);
        });
        schedules.MapGet("/{name}", async (string name, TaskClient client, HttpContext http, IOptions<AccessOptions> access) =>
            Results.Json(ScheduleView.Of(await client.Schedules.GetAsync(name) ?? throw NoSuchSchedule(name)).ShownTo(http.User, access.Value), TaskJson.Options));
        schedules.MapPut("/{name}", async (string name, HttpRequest request, TaskClient client) =>
        {
            var body = await ApiProblems.ReadBodyAsync<ScheduleRequest>(request, Example);
            var task = (body.Task ?? throw new InvalidScheduleException("Task", "A schedule needs a task: {\"task\": {\"taskName\": …, \"payload\": …}}.")).ToNamedTask(client.Options.DefaultRetry);
            var queue = body.Queue ?? client.Options.DefaultQueue;
            await client.Schedules.ScheduleAsync(name, task.TaskName, task.PayloadJson, queue, body.ToKind(), task.Options, body.ToPolicies());
            return Results.Json(ScheduleView.Of(await client.Schedules.GetAsync(name) ?? throw NoSuchSchedule(name)), TaskJson.Options);
        });
        schedules.MapPost("/{name}/pause", async (string name, TaskClient client) =>
            await client.Schedules.PauseAsync(name) ? Results.Json(new { paused = true }, TaskJson.Options) : throw NoSuchSchedule(name));
        schedules.MapPost("/{name}/resume", async (string name, TaskClient client) =>
            await client.Schedules.ResumeAsync(name) ? Results.Json(new { paused = false }, TaskJson.Options) : throw NoSuchSchedule(name));
        schedules.MapPost("/{name}/trigger", async (string name, TaskClient client) =>
        {
            var id = await client.Schedules.TriggerAsync(name) ?? throw NoSuchSchedule(name);
            return Results.Json(new { taskId = id.ToString() }, TaskJson.Options, statusCode: StatusCodes.Status202Accepted);
        });
        schedules.MapDelete("/{name}", async (string name, TaskClient client) =>
            await client.Schedules.RemoveAsync(name) ? Results.Json(new { removed = true }, TaskJson.Options) : throw NoSuchSchedule(name));
    }

    private static ApiProblemException NoSuchSchedule(string name) =>
        new(StatusCodes.Status404NotFound, "Unknown schedule", $"No schedule named '{name}'.");
}
