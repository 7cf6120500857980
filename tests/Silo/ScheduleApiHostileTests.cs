using System.Net;
using System.Text;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// Hostile values through the schedule routes (review-sched2, third round): names the URL carries with control
/// characters or over the length limit on every route, and timings with numbers out of range. Each is a 4xx problem
/// naming the field where one is to blame (never a 500), and nothing is stored.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class ScheduleApiHostileTests(ApiSilo silo) : IClassFixture<ApiSilo>
{
    private const string Daily = """{"queue": "api-misc", "daily": {"hour": 3, "minute": 15}, "task": {"taskName": "test.record"}}""";

    // Invariant: a name that is not a schedule name (README: 1-200 characters, no control characters) is refused naming
    // Name on every route, whatever the route would do with it.
    [Theory]
    [InlineData("api-h%0Aline")]
    [InlineData("api-h%7Fdel")]
    [InlineData("api-h%C2%85nel")]
    [InlineData("api-h%1B%5B31m")]
    [InlineData("201")]
    public async Task ABadNameOnAnyRoute_IsA400NamingName(string escaped)
    {
        var path = "/api/schedules/" + (escaped == "201" ? new string('n', 201) : escaped);
        using var content = new StringContent(Daily, Encoding.UTF8, "application/json");
        var responses = new List<HttpResponseMessage>
        {
            await silo.Http.PutAsync(new Uri(path, UriKind.Relative), content),
            await silo.Http.GetAsync(new Uri(path, UriKind.Relative)),
            await silo.Http.PostAsync(new Uri(path + "/pause", UriKind.Relative), null),
            await silo.Http.PostAsync(new Uri(path + "/resume", UriKind.Relative), null),
            await silo.Http.PostAsync(new Uri(path + "/trigger", UriKind.Relative), null),
            await silo.Http.DeleteAsync(new Uri(path, UriKind.Relative)),
        };
        foreach (var response in responses)
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.RequestMessage?.Method} {path} -> {(int)response.StatusCode}: {text}");
                Assert.Contains("\"field\":\"Name\"", text, StringComparison.Ordinal);
            }
        }
    }

    // Invariant: numbers out of range are refused naming the field, including ones that do not fit an int.
    [Theory]
    [InlineData("""{"everyMinutes": 2147483647, "task": {"taskName": "test.record"}}""", "Minutes")]
    [InlineData("""{"everyMinutes": 527041, "task": {"taskName": "test.record"}}""", "Minutes")]
    [InlineData("""{"everyMinutes": 99999999999, "task": {"taskName": "test.record"}}""", "EveryMinutes")]
    [InlineData("""{"weekly": {"day": 7, "hour": 9, "minute": 0}, "task": {"taskName": "test.record"}}""", "Day")]
    [InlineData("""{"weekly": {"day": -2147483648, "hour": 9, "minute": 0}, "task": {"taskName": "test.record"}}""", "Day")]
    [InlineData("""{"weekly": {"day": "Funday", "hour": 9, "minute": 0}, "task": {"taskName": "test.record"}}""", "Weekly.Day")]
    [InlineData("""{"daily": {"hour": -1, "minute": 0}, "task": {"taskName": "test.record"}}""", "Hour")]
    [InlineData("""{"daily": {"hour": 0, "minute": 2147483647}, "task": {"taskName": "test.record"}}""", "Minute")]
    [InlineData("""{"misfire": "FireAll", "misfireLimit": 1001, "everyMinutes": 5, "task": {"taskName": "test.record"}}""", "Policies.Misfire")]
    [InlineData("""{"misfireThreshold": "10675199.02:48:05.4775807", "everyMinutes": 5, "task": {"taskName": "test.record"}}""", "Policies.MisfireThreshold")]
    [InlineData("""{"cron": "0 9 * * *", "timeZone": "Europe/../../../../etc/passwd", "task": {"taskName": "test.record"}}""", "TimeZone")]
    [InlineData("""{"cron": "0 9 * * *", "timeZone": "", "task": {"taskName": "test.record"}}""", "TimeZone")]
    public async Task ANumberOrZoneOutOfRange_IsA400NamingTheField(string body, string field)
    {
        var name = $"api-h-range-{Guid.NewGuid():N}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var put = await silo.Http.PutAsync(new Uri($"/api/schedules/{name}", UriKind.Relative), content);

        var problem = await ApiAssert.ProblemAsync(put, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Null(await silo.Client.Schedules.GetAsync(name));
    }
}
