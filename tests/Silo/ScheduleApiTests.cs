using System.Net;
using System.Text;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>The JSON API's schedule routes over real HTTP: create, read, list, pause, resume, trigger, remove, and every refusal as problem details.</summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class ScheduleApiTests(ApiSilo silo) : IClassFixture<ApiSilo>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ACronScheduleInAZone_IsCreatedReadListedAndRemoved()
    {
        var name = $"api-cron-{Guid.NewGuid():N}";
        using var put = await PutAsync(name, """
            {"queue": "api-misc", "cron": "30 9 * * MON-FRI", "timeZone": "Europe/Berlin",
             "task": {"taskName": "test.record", "payload": {"label": "cron"}, "priority": "High", "timeout": "00:00:30"},
             "misfire": "FireAll", "misfireLimit": 3, "overlap": "SkipIfRunning"}
            """);
        var created = await ApiAssert.OkAsync(put);
        Assert.Equal(name, created.GetProperty("name").GetString());
        var timing = created.GetProperty("timing");
        Assert.Equal(("cron", "30 9 * * MON-FRI", "Europe/Berlin"), (timing.GetProperty("kind").GetString(), timing.GetProperty("expression").GetString(), timing.GetProperty("timeZone").GetString()));
        Assert.Equal("cron", created.GetProperty("task").GetProperty("payload").GetProperty("label").GetString());
        Assert.Equal("High", created.GetProperty("task").GetProperty("priority").GetString());
        Assert.Equal(("FireAll(3)", "SkipIfRunning"), (created.GetProperty("misfire").GetString(), created.GetProperty("overlap").GetString()));
        var next = created.GetProperty("nextRun").GetDateTimeOffset();
        Assert.True(next > TimeProvider.System.GetUtcNow(), $"next run {next:O}");
        // 09:30 in Berlin is 07:30 or 08:30 UTC, on a weekday.
        Assert.True(next.UtcDateTime.Hour is 7 or 8, $"next run {next:O}");
        Assert.Equal(30, next.Minute);
        Assert.False(next.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, $"next run {next:O}");

        using (var get = await silo.Http.GetAsync(new Uri($"/api/schedules/{name}", UriKind.Relative)))
            Assert.Equal(next, (await ApiAssert.OkAsync(get)).GetProperty("nextRun").GetDateTimeOffset());
        Assert.Contains(name, await ListAllAsync());

        using (var removed = await silo.Http.DeleteAsync(new Uri($"/api/schedules/{name}", UriKind.Relative)))
            Assert.True((await ApiAssert.OkAsync(removed)).GetProperty("removed").GetBoolean());
        using (var gone = await silo.Http.GetAsync(new Uri($"/api/schedules/{name}", UriKind.Relative)))
            await ApiAssert.ProblemAsync(gone, HttpStatusCode.NotFound);
        Assert.DoesNotContain(name, await ListAllAsync());
    }

    [Fact]
    public async Task Trigger_SubmitsTheTaskNow_AndPauseAndResumeShowInTheSchedule()
    {
        var name = $"api-trigger-{Guid.NewGuid():N}";
        using (var put = await PutAsync(name, """{"queue": "api-misc", "daily": {"hour": 3, "minute": 15}, "task": {"taskName": "test.record", "payload": {"label": "now"}}}"""))
            Assert.Equal("daily", (await ApiAssert.OkAsync(put)).GetProperty("timing").GetProperty("kind").GetString());

        using var trigger = await PostAsync($"/api/schedules/{name}/trigger");
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var id = TaskId.Parse(JsonDocument.Parse(await trigger.Content.ReadAsStringAsync()).RootElement.GetProperty("taskId").GetString()!);
        Assert.Equal("now", await silo.Client.WaitForResultAsync<string>(id, Timeout));

        using (var pause = await PostAsync($"/api/schedules/{name}/pause")) await ApiAssert.OkAsync(pause);
        Assert.True((await GetAsync(name)).GetProperty("paused").GetBoolean());
        using (var resume = await PostAsync($"/api/schedules/{name}/resume")) await ApiAssert.OkAsync(resume);
        var after = await GetAsync(name);
        Assert.False(after.GetProperty("paused").GetBoolean());
        Assert.Equal(1, after.GetProperty("triggerCount").GetInt64());
        Assert.Equal(id.ToString(), after.GetProperty("lastTaskId").GetString());
    }

    [Theory]
    [InlineData("""{"task": {"taskName": "test.record"}}""", "Kind")]
    [InlineData("""{"cron": "* * * * *", "everyMinutes": 5, "task": {"taskName": "test.record"}}""", "Kind")]
    [InlineData("""{"everyMinutes": 5, "timeZone": "Europe/Berlin", "task": {"taskName": "test.record"}}""", "Kind.TimeZoneId")]
    [InlineData("""{"everyMinutes": 5}""", "Task")]
    [InlineData("""{"everyMinutes": 5, "misfireLimit": 2, "task": {"taskName": "test.record"}}""", "Policies.Misfire.Limit")]
    [InlineData("""{"everyMinutes": 5, "misfire": 9, "task": {"taskName": "test.record"}}""", "Policies.Misfire")]
    [InlineData("""{"everyMinutes": 5, "colour": "red", "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"cron": "61 * * * *", "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"cron": "0 9 * * *", "timeZone": "Mars/Olympus", "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"everyMinutes": 0, "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"weekly": {"day": "Caturday", "hour": 1, "minute": 0}, "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"everyMinutes": 5, "task": {"taskName": "test.record", "priority": 7}}""", null)]
    [InlineData("""{"everyMinutes": 5, "task": {"taskName": "test.record", "notBefore": "2030-01-01T00:00:00Z"}}""", null)]
    [InlineData("""{"everyMinutes": 2147483647, "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"everyMinutes": -5, "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"daily": {"hour": 24, "minute": 0}, "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"everyMinutes": 5, "misfireThreshold": "10675199.02:48:05.4775807", "task": {"taskName": "test.record"}}""", "Policies.MisfireThreshold")]
    [InlineData("""{"everyMinutes": 5, "task": {"taskName": "test.record", "timeout": "10675199.02:48:05.4775807", "resultTtl": "-00:00:01"}}""", null)]
    [InlineData("""{"once": "2026-01-01T00:00:00Z", "queue": "no spaces allowed", "task": {"taskName": "test.record"}}""", null)]
    [InlineData("""{"everyMinutes": 5, "task": {"taskName": ""}}""", null)]
    [InlineData("""{"everyMinutes": 5, "task": """, null)]
    [InlineData("""[]""", null)]
    public async Task ABadSchedule_IsA400ProblemSayingWhatIsWrong_AndNothingIsStored(string body, string? field)
    {
        var name = $"api-bad-{Guid.NewGuid():N}";
        using var put = await PutAsync(name, body);

        var problem = await ApiAssert.ProblemAsync(put, HttpStatusCode.BadRequest);
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
        using var get = await silo.Http.GetAsync(new Uri($"/api/schedules/{name}", UriKind.Relative));
        await ApiAssert.ProblemAsync(get, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/schedules?limit=0")]
    [InlineData("/api/schedules?limit=-1")]
    [InlineData("/api/schedules?limit=1001")]
    [InlineData("/api/schedules?limit=99999999999")]
    [InlineData("/api/schedules?page=not-a-token")]
    [InlineData("/api/schedules?page=999999:x")]
    public async Task ABadListRequest_IsA400(string path)
    {
        using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ANameNoScheduleMayHave_IsA400ForEveryRoute_AndStoresNothing()
    {
        var tooLong = new string('n', 201);
        using (var put = await PutAsync(tooLong, """{"everyMinutes": 5, "task": {"taskName": "test.record"}}"""))
            await ApiAssert.ProblemAsync(put, HttpStatusCode.BadRequest);
        using (var get = await silo.Http.GetAsync(new Uri($"/api/schedules/{tooLong}", UriKind.Relative)))
            await ApiAssert.ProblemAsync(get, HttpStatusCode.BadRequest);
        using (var trigger = await PostAsync($"/api/schedules/{tooLong}/trigger"))
            await ApiAssert.ProblemAsync(trigger, HttpStatusCode.BadRequest);
        Assert.DoesNotContain(tooLong, await ListAllAsync());
    }

    [Theory]
    [InlineData("POST", "pause")]
    [InlineData("POST", "resume")]
    [InlineData("POST", "trigger")]
    [InlineData("DELETE", "")]
    [InlineData("GET", "")]
    public async Task AnUnknownSchedule_IsA404(string method, string action)
    {
        var path = $"/api/schedules/api-none-{Guid.NewGuid():N}" + (action.Length > 0 ? $"/{action}" : "");
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        using var response = await silo.Http.SendAsync(request);
        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    private async Task<HashSet<string>> ListAllAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? page = null;
        do
        {
            var path = "/api/schedules?limit=50" + (page is null ? "" : $"&page={Uri.EscapeDataString(page)}");
            using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
            var body = await ApiAssert.OkAsync(response);
            foreach (var schedule in body.GetProperty("schedules").EnumerateArray()) names.Add(schedule.GetProperty("name").GetString()!);
            page = body.GetProperty("nextPage").GetString();
        }
        while (page is not null);
        return names;
    }

    private async Task<JsonElement> GetAsync(string name)
    {
        using var response = await silo.Http.GetAsync(new Uri($"/api/schedules/{name}", UriKind.Relative));
        return await ApiAssert.OkAsync(response);
    }

    private async Task<HttpResponseMessage> PutAsync(string name, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await silo.Http.PutAsync(new Uri($"/api/schedules/{name}", UriKind.Relative), content);
    }

    private async Task<HttpResponseMessage> PostAsync(string path)
    {
        using var content = new StringContent("", Encoding.UTF8, "application/json");
        return await silo.Http.PostAsync(new Uri(path, UriKind.Relative), content);
    }
}
