using System.Net;
using System.Text;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// Hostile review of the schedule routes (branch review-sched, second round): bodies with fields left out, time zone
/// ids that are tzdata directories, page tokens, and names the URL has to escape. Each refusal is a 400 problem naming
/// the field, and what is stored does not change.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class ScheduleApiReviewTests(ApiSilo silo) : IClassFixture<ApiSilo>
{
    // Invariant: a bad schedule is a 400 naming the field (README, "The JSON API"), never a silent default.
    // TimeOfDayRequest and WeeklyRequest are positional records, and System.Text.Json gives a constructor parameter the
    // JSON leaves out its default: {"weekly": {"hour": 9, "minute": 0}} was stored as Sunday 09:00, {"daily": {}} as 00:00.
    [Theory]
    [InlineData("""{"daily": {}, "task": {"taskName": "test.record"}}""")]
    [InlineData("""{"daily": {"hour": 9}, "task": {"taskName": "test.record"}}""")]
    [InlineData("""{"daily": {"minute": 30}, "task": {"taskName": "test.record"}}""")]
    [InlineData("""{"weekly": {"hour": 9, "minute": 0}, "task": {"taskName": "test.record"}}""")]
    [InlineData("""{"weekly": {"day": "Monday", "minute": 0}, "task": {"taskName": "test.record"}}""")]
    public async Task ATimingWithAFieldLeftOut_IsA400_NotASilentMidnightOrSunday(string body)
    {
        var name = $"api-rv-missing-{Guid.NewGuid():N}";
        using var put = await PutAsync(Path(name), body);

        var problem = await ApiAssert.ProblemAsync(put, HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("field", out var field), problem.ToString());
        Assert.True(field.GetString() is "Daily" or "Weekly", problem.ToString());
        Assert.Null(await silo.Client.Schedules.GetAsync(name));
    }

    // Invariant: an unknown time zone is refused as an invalid schedule naming TimeZone (README, "Refused with
    // InvalidScheduleException"). A tzdata directory ("Europe", "America") makes TimeZoneInfo.FindSystemTimeZoneById throw
    // SecurityException, which ScheduleRules.ResolveTimeZone did not catch: a 500 over HTTP, and a SecurityException from
    // the C# client.
    [Theory]
    [InlineData("Europe")]
    [InlineData("America")]
    [InlineData("Etc")]
    public async Task ATimeZoneThatIsATzdataDirectory_IsA400NamingTimeZone(string zone)
    {
        var name = $"api-rv-zone-{Guid.NewGuid():N}";
        using var put = await PutAsync(Path(name), $$$"""{"cron": "0 9 * * *", "timeZone": "{{{zone}}}", "task": {"taskName": "test.record"}}""");

        var problem = await ApiAssert.ProblemAsync(put, HttpStatusCode.BadRequest);
        Assert.Equal("TimeZone", problem.GetProperty("field").GetString());
        Assert.Null(await silo.Client.Schedules.GetAsync(name));
    }

    // Invariant: a refusal names the field the caller sent. A bad page token named "token" (the C# parameter), not "page".
    [Theory]
    [InlineData("not-a-token")]
    [InlineData("999999:x")]
    [InlineData("64:x")]
    [InlineData("-1:x")]
    [InlineData(":x")]
    public async Task ABadPageToken_IsA400NamingPage(string page)
    {
        using var response = await silo.Http.GetAsync(new Uri($"/api/schedules?page={Uri.EscapeDataString(page)}", UriKind.Relative));

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("page", problem.GetProperty("field").GetString());
    }

    // Invariant: nothing already stored changes when a replacement is refused, whatever is wrong with it.
    [Fact]
    public async Task RefusedReplacements_LeaveTheStoredScheduleAsItWas()
    {
        var name = $"api-rv-keep-{Guid.NewGuid():N}";
        using (var put = await PutAsync(Path(name), """{"queue": "api-misc", "daily": {"hour": 3, "minute": 15}, "task": {"taskName": "test.record", "payload": {"label": "kept"}}}"""))
            await ApiAssert.OkAsync(put);
        var before = await GetJsonAsync(name);

        string[] bodies =
        [
            "{",
            "null",
            "[]",
            "\"daily\"",
            """{"queue": "api-misc", "daily": {"hour": 25, "minute": 0}, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "daily": {"hour": "nine", "minute": 0}, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "weekly": {"day": 7, "hour": 1, "minute": 0}, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "weekly": {"day": -1, "hour": 1, "minute": 0}, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": 0, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": -1, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": 1.5, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "cron": "0 0 30 2 *", "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "cron": "H 9 * * *", "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "cron": "0 9 * * *", "timeZone": "Europe", "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "cron": "0 9 * * *", "timeZone": "Mars/Olympus", "task": {"taskName": "test.record"}}""",
            $$$"""{"queue": "api-misc", "cron": "{{{new string('1', 100_000)}}}", "task": {"taskName": "test.record"}}""",
            $$$"""{"queue": "api-misc", "cron": "0 9 * * *", "timeZone": "{{{new string('z', 100_000)}}}", "task": {"taskName": "test.record"}}""",
            $$$"""{"queue": "{{{new string('q', 100_000)}}}", "everyMinutes": 5, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": 5, "misfire": "Sometimes", "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": 5, "overlap": 9, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": 5, "misfire": "FireAll", "misfireLimit": 0, "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": 5, "misfireThreshold": "-00:00:01", "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "everyMinutes": 5, "task": {"taskName": "test.record", "idempotencyKey": "mine"}}""",
            """{"queue": "api-misc", "everyMinutes": 5, "task": {"taskName": "test.record", "delay": "00:01:00"}}""",
            """{"queue": "api-misc", "everyMinutes": 5, "task": {"taskName": "test.record", "expiresAt": "2030-01-01T00:00:00Z"}}""",
            """{"queue": "api-misc", "once": "0001-01-01T00:00:00Z", "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "once": "9999-12-31T23:59:59Z", "task": {"taskName": "test.record"}}""",
            """{"queue": "api-misc", "once": "tomorrow", "task": {"taskName": "test.record"}}""",
        ];
        foreach (var body in bodies)
        {
            using var put = await PutAsync(Path(name), body);
            var text = await put.Content.ReadAsStringAsync();
            Assert.True(put.StatusCode == HttpStatusCode.BadRequest, $"{body[..Math.Min(body.Length, 120)]} -> {(int)put.StatusCode}: {text[..Math.Min(text.Length, 300)]}");
        }

        var after = await GetJsonAsync(name);
        Assert.Equal(before.GetProperty("timing").ToString(), after.GetProperty("timing").ToString());
        Assert.Equal(before.GetProperty("task").ToString(), after.GetProperty("task").ToString());
        Assert.Equal(before.GetProperty("updatedAt").GetDateTimeOffset(), after.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(before.GetProperty("nextRun").GetDateTimeOffset(), after.GetProperty("nextRun").GetDateTimeOffset());
    }

    // Invariant: the name is the id, whatever characters it holds (1-200, no control characters): what the C# client
    // creates, the API reaches, and the other way round, with the name escaped in the URL as any HTTP client does.
    [Theory]
    [InlineData("api-rv été ⏰ ")]
    [InlineData("api-rv 50% off ")]
    [InlineData("api-rv ?#&+= ")]
    public async Task ANameTheUrlEscapes_IsTheSameScheduleOverHttpAndInCSharp(string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N");
        using (var put = await PutAsync(Path(name), """{"queue": "api-misc", "daily": {"hour": 3, "minute": 15}, "task": {"taskName": "test.record"}}"""))
            Assert.Equal(name, (await ApiAssert.OkAsync(put)).GetProperty("name").GetString());
        Assert.NotNull(await silo.Client.Schedules.GetAsync(name));

        using (var removed = await silo.Http.DeleteAsync(new Uri(Path(name), UriKind.Relative)))
            await ApiAssert.OkAsync(removed);
        Assert.Null(await silo.Client.Schedules.GetAsync(name));
    }

    // Same invariant for '/': a schedule whose name holds a slash ("reports/daily") is a valid name for the C# client.
    [Fact]
    public async Task ANameWithASlash_CreatedInCSharp_IsReachedOverHttp()
    {
        var name = $"api-rv/reports/{Guid.NewGuid():N}";
        await silo.Client.Schedules.ScheduleDailyAsync(name, "test.record", "{}", "api-misc", 3, 15);

        using (var get = await silo.Http.GetAsync(new Uri(Path(name), UriKind.Relative)))
            Assert.Equal(name, (await ApiAssert.OkAsync(get)).GetProperty("name").GetString());
        using (var removed = await silo.Http.DeleteAsync(new Uri(Path(name), UriKind.Relative)))
            await ApiAssert.OkAsync(removed);
        Assert.Null(await silo.Client.Schedules.GetAsync(name));
    }

    // An empty name has no route of its own: PUT /api/schedules/ must not create anything, and is refused.
    [Fact]
    public async Task AnEmptyName_IsRefused_AndCreatesNothing()
    {
        using var put = await PutAsync("/api/schedules/", """{"queue": "api-misc", "everyMinutes": 5, "task": {"taskName": "test.record"}}""");
        Assert.False(put.IsSuccessStatusCode, $"{(int)put.StatusCode}");
        Assert.True((int)put.StatusCode is >= 400 and < 500, $"{(int)put.StatusCode}");
    }

    private static string Path(string name) => $"/api/schedules/{Uri.EscapeDataString(name)}";

    private async Task<JsonElement> GetJsonAsync(string name)
    {
        using var response = await silo.Http.GetAsync(new Uri(Path(name), UriKind.Relative));
        return await ApiAssert.OkAsync(response);
    }

    private async Task<HttpResponseMessage> PutAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await silo.Http.PutAsync(new Uri(path, UriKind.Relative), content);
    }
}
