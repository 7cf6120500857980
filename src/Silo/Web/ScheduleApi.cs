// The schedule routes of the JSON API: create or replace, list (paged), read, pause, resume, trigger, remove. Each goes
// through the co-hosted TaskClient's Schedules, so it refuses what any client refuses (ScheduleRules).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
            SchedulePage result;
            try
            {
                result = await client.Schedules.ListAsync(size, page);
            }
            catch (ArgumentException ex) when (ex.ParamName == "pageToken")
            {
                // The caller sent ?page=, not the C# parameter's name.
                throw new ApiProblemException(StatusCodes.Status400BadRequest, "Bad request", $"'{page}' is not a nextPage token from this route.", "page");
            }
            var shown = result.Schedules.Select(s => ScheduleView.Of(s).ShownTo(http.User, access.Value));
            return Results.Json(new { schedules = shown, nextPage = result.NextPageToken }, TaskJson.Options);
        });
        schedules.MapGet("/{name}", async (string name, TaskClient client, HttpContext http, IOptions<AccessOptions> access) =>
        {
            name = NameOf(http, name, 0);
            return Results.Json(ScheduleView.Of(await client.Schedules.GetAsync(name) ?? throw NoSuchSchedule(name)).ShownTo(http.User, access.Value), TaskJson.Options);
        });
        schedules.MapPut("/{name}", async (string name, HttpRequest request, TaskClient client) =>
        {
            name = NameOf(request.HttpContext, name, 0);
            var body = await ApiProblems.ReadBodyAsync<ScheduleRequest>(request, Example);
            var task = (body.Task ?? throw new InvalidScheduleException("Task", "A schedule needs a task: {\"task\": {\"taskName\": …, \"payload\": …}}.")).ToNamedTask(client.Options.DefaultRetry);
            var queue = body.Queue ?? client.Options.DefaultQueue;
            await client.Schedules.ScheduleAsync(name, task.TaskName, task.PayloadJson, queue, body.ToKind(), task.Options, body.ToPolicies());
            return Results.Json(ScheduleView.Of(await client.Schedules.GetAsync(name) ?? throw NoSuchSchedule(name)), TaskJson.Options);
        });
        schedules.MapPost("/{name}/pause", async (string name, TaskClient client, HttpContext http) =>
            await client.Schedules.PauseAsync(name = NameOf(http, name, 1)) ? Results.Json(new { paused = true }, TaskJson.Options) : throw NoSuchSchedule(name));
        schedules.MapPost("/{name}/resume", async (string name, TaskClient client, HttpContext http) =>
            await client.Schedules.ResumeAsync(name = NameOf(http, name, 1)) ? Results.Json(new { paused = false }, TaskJson.Options) : throw NoSuchSchedule(name));
        schedules.MapPost("/{name}/trigger", async (string name, TaskClient client, HttpContext http) =>
        {
            name = NameOf(http, name, 1);
            var id = await client.Schedules.TriggerAsync(name) ?? throw NoSuchSchedule(name);
            return Results.Json(new { taskId = id.ToString() }, TaskJson.Options, statusCode: StatusCodes.Status202Accepted);
        });
        schedules.MapDelete("/{name}", async (string name, TaskClient client, HttpContext http) =>
            await client.Schedules.RemoveAsync(name = NameOf(http, name, 0)) ? Results.Json(new { removed = true }, TaskJson.Options) : throw NoSuchSchedule(name));
    }

    /// <summary>
    /// The schedule name the caller escaped into the URL. Kestrel decodes a path except <c>%2F</c>, and routing does not
    /// decode route values, so a name holding '/' ("reports/daily", sent as reports%2Fdaily) would arrive as
    /// "reports%2Fdaily", and could not be told from a name holding that literal text (sent as reports%252Fdaily). Such a
    /// name is read from the request target as sent instead: the segment <paramref name="fromEnd"/> from the end.
    /// </summary>
    private static string NameOf(HttpContext http, string routed, int fromEnd)
    {
        if (!routed.Contains('%', StringComparison.Ordinal)) return routed;
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target)) return routed;
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var segments = (query < 0 ? target : target[..query]).Split('/');
        if (segments.Length <= fromEnd + 1) return routed;
        var raw = segments[^(fromEnd + 1)];
        // The same segment, decoded as Kestrel decodes it (every escape but %2F): if it is not the routed one, the path
        // was rewritten (dot segments), and the routed value stands.
        var asKestrel = Uri.UnescapeDataString(raw.Replace("%2F", "%252F", StringComparison.Ordinal).Replace("%2f", "%252f", StringComparison.Ordinal));
        return asKestrel == routed ? Uri.UnescapeDataString(raw) : routed;
    }

    private static ApiProblemException NoSuchSchedule(string name) =>
        new(StatusCodes.Status404NotFound, "Unknown schedule", $"No schedule named '{name}'.");
}
