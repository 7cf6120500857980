using System.Net;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The access rules once keys are configured, over real HTTP: every caller needs a key (loopback too), ReadOnly reads but
/// never acts and does not see results, Admin does everything, keys are matched exactly and never logged.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class AccessTests(KeyedWebSilo fixture) : IClassFixture<KeyedWebSilo>
{
    private const string Queue = KeyedWebSilo.Queue;
    private const string Submit = """{"taskName":"dtq.echo","payload":{"name":"Ann"}}""";
    private const string Schedule = """{"queue":"access-keyed","everyMinutes":60,"task":{"taskName":"dtq.echo","payload":{"name":"Ann"}}}""";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private WebSilo Silo => fixture.Silo;

    [Theory]
    [InlineData(WebSilo.Remote)]
    [InlineData(null)]
    public async Task ACallerWithoutAKey_Gets401ProblemDetails_OnTheApiAndTheDashboard_FromAnywhere(string? remote)
    {
        foreach (var path in new[] { "/api/worker", $"/api/queues/{Queue}/stats", "/dashboard/", "/dashboard/DashboardCounters" })
        {
            using var response = await Silo.SendAsync(HttpMethod.Get, path, remote);
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(["Bearer", "Basic"], response.Headers.WwwAuthenticate.Select(h => h.Scheme));
        }
        using var submit = await Silo.SendAsync(HttpMethod.Post, $"/api/queues/{Queue}/tasks", remote, json: Submit);
        await ApiAssert.ProblemAsync(submit, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("admin-0123456789abcdeF")]   // one character's case
    [InlineData("admin-0123456789abcde")]    // a prefix
    [InlineData("admin-0123456789abcdef0")]  // one character more
    [InlineData("read-0123456789abcdef admin-0123456789abcdef")]
    public async Task AKeyThatIsNotExactlyAConfiguredOne_Gets401_AndNoKeyIsEverLogged(string wrong)
    {
        using var bearer = await Silo.SendAsync(HttpMethod.Get, "/api/worker", WebSilo.Remote, bearer: wrong);
        Assert.Equal("The API key is not valid.", (await ApiAssert.ProblemAsync(bearer, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());
        using var header = await Silo.SendAsync(HttpMethod.Post, $"/api/queues/{Queue}/tasks", WebSilo.Remote, apiKey: wrong, json: Submit);
        await ApiAssert.ProblemAsync(header, HttpStatusCode.Unauthorized);

        Assert.Contains(fixture.Logs.Entries, e => e.Message.Contains("Refused an unknown API key from 203.0.113.7", StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains(wrong, StringComparison.Ordinal)
            || e.Message.Contains(AccessKeys.Admin, StringComparison.Ordinal) || e.Message.Contains(AccessKeys.ReadOnly, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReadOnlyKey_Reads_ButEveryPostPutAndDelete_Is403ProblemDetails()
    {
        var id = await SubmitAsAdminAsync();
        foreach (var path in new[] { "/api/worker", $"/api/queues/{Queue}/stats", $"/api/tasks/{id}", $"/api/queues/{Queue}/dead", "/api/schedules", "/dashboard/", "/api/queues", $"/api/queues/{Queue}/tasks?state=pending" })
        {
            using var read = await Silo.SendAsync(HttpMethod.Get, path, WebSilo.Remote, apiKey: AccessKeys.ReadOnly);
            Assert.True(read.IsSuccessStatusCode, $"GET {path}: {(int)read.StatusCode}");
        }

        var actions = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Post, $"/api/queues/{Queue}/tasks", Submit),
            (HttpMethod.Post, $"/api/queues/{Queue}/tasks/batch", $"[{Submit}]"),
            (HttpMethod.Post, $"/api/tasks/{id}/cancel", null),
            (HttpMethod.Post, $"/api/queues/{Queue}/dead/retry", null),
            (HttpMethod.Delete, $"/api/queues/{Queue}/dead", null),
            (HttpMethod.Post, $"/api/queues/{Queue}/pause", null),
            (HttpMethod.Post, $"/api/queues/{Queue}/resume", null),
            (HttpMethod.Post, $"/api/queues/{Queue}/purge", null),
            (HttpMethod.Post, $"/api/tasks/{id}/retry", null),
            (HttpMethod.Delete, $"/api/tasks/{id}", null),
            (HttpMethod.Put, "/api/schedules/access-hourly", Schedule),
            (HttpMethod.Post, "/api/schedules/access-hourly/trigger", null),
            (HttpMethod.Delete, "/api/schedules/access-hourly", null),
        };
        foreach (var (method, path, body) in actions)
        {
            using var refused = await Silo.SendAsync(method, path, WebSilo.Remote, bearer: AccessKeys.ReadOnly, json: body);
            var problem = await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);
            Assert.Contains("ReadOnly", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Null(await Silo.Services.GetRequiredService<TaskClient>().Schedules.GetAsync("access-hourly"));
    }

    [Fact]
    public async Task AnAdminKey_Acts_ByBearerOrByXApiKey_AndSeesResults_WhileReadOnlyDoesNot()
    {
        var id = await SubmitAsAdminAsync();
        using (var viaHeader = await Silo.SendAsync(HttpMethod.Post, $"/api/queues/{Queue}/tasks", WebSilo.Remote, apiKey: AccessKeys.Admin, json: Submit))
            Assert.Equal(HttpStatusCode.Accepted, viaHeader.StatusCode);
        await Silo.Services.GetRequiredService<TaskClient>().WaitAsync(TaskId.Parse(id), Timeout);

        using var admin = await Silo.SendAsync(HttpMethod.Get, $"/api/tasks/{id}", WebSilo.Remote, bearer: AccessKeys.Admin);
        var seen = await ApiAssert.OkAsync(admin);
        Assert.Equal("""{"name":"Ann"}""", seen.GetProperty("resultJson").GetString());
        Assert.Equal("""{"name":"Ann"}""", seen.GetProperty("payloadJson").GetString());
        using var readOnly = await Silo.SendAsync(HttpMethod.Get, $"/api/tasks/{id}", WebSilo.Remote, bearer: AccessKeys.ReadOnly);
        var shown = await ApiAssert.OkAsync(readOnly);
        Assert.Equal("Succeeded", shown.GetProperty("state").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, shown.GetProperty("resultJson").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, shown.GetProperty("payloadJson").ValueKind);

        using (var put = await Silo.SendAsync(HttpMethod.Put, "/api/schedules/access-admin", WebSilo.Remote, bearer: AccessKeys.Admin, json: Schedule))
            await ApiAssert.OkAsync(put);
        using var schedule = await Silo.SendAsync(HttpMethod.Get, "/api/schedules/access-admin", WebSilo.Remote, bearer: AccessKeys.ReadOnly);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await ApiAssert.OkAsync(schedule)).GetProperty("task").GetProperty("payload").ValueKind);
        using (var delete = await Silo.SendAsync(HttpMethod.Delete, "/api/schedules/access-admin", WebSilo.Remote, bearer: AccessKeys.Admin))
            Assert.True(delete.IsSuccessStatusCode);
    }

    [Fact]
    public async Task TheDashboard_OpensInABrowser_WithTheKeyAsBasicPassword_ButShowsGrainStateAndTheLiveLog_OnlyToWhoMaySeeContents()
    {
        using (var page = await SendBasicAsync("/dashboard/", AccessKeys.ReadOnly))
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using (var wrong = await SendBasicAsync("/dashboard/", "not-a-key-0123456789"))
            await ApiAssert.ProblemAsync(wrong, HttpStatusCode.Unauthorized);

        foreach (var path in new[] { "/dashboard/GrainState?grainId=x&grainType=y", "/dashboard/Trace" })
        {
            using var refused = await SendBasicAsync(path, AccessKeys.ReadOnly);
            await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);
        }
        using var admin = await SendBasicAsync("/dashboard/GrainState?grainId=x&grainType=y", AccessKeys.Admin);
        Assert.NotEqual(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, admin.StatusCode);
    }

    [Fact]
    public async Task WithReadOnlySeesPayloads_AReadOnlyKeySeesResults_ButStillCannotAct()
    {
        await using var silo = await WebSilo.StartAsync(["access-sees"], s =>
        {
            AccessKeys.Configure(s);
            s.Access.ReadOnlySeesPayloads = true;
        });
        using var submitted = await silo.SendAsync(HttpMethod.Post, "/api/queues/access-sees/tasks", WebSilo.Remote, bearer: AccessKeys.Admin, json: Submit);
        var id = (await ApiAssert.OkAsync(submitted)).GetProperty("id").GetString()!;
        await silo.Services.GetRequiredService<TaskClient>().WaitAsync(TaskId.Parse(id), Timeout);

        using var read = await silo.SendAsync(HttpMethod.Get, $"/api/tasks/{id}", WebSilo.Remote, bearer: AccessKeys.ReadOnly);
        var seen = await ApiAssert.OkAsync(read);
        Assert.Equal("""{"name":"Ann"}""", seen.GetProperty("resultJson").GetString());
        Assert.Equal("""{"name":"Ann"}""", seen.GetProperty("payloadJson").GetString());
        using var act = await silo.SendAsync(HttpMethod.Post, $"/api/tasks/{id}/cancel", WebSilo.Remote, bearer: AccessKeys.ReadOnly);
        await ApiAssert.ProblemAsync(act, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task HealthEndpoints_AnswerAnyoneWithoutAKey()
    {
        foreach (var path in new[] { "/health/live", "/healthz" })
        {
            using var response = await Silo.SendAsync(HttpMethod.Get, path, WebSilo.Remote);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var ready = await Silo.SendAsync(HttpMethod.Get, "/health/ready", WebSilo.Remote);
        Assert.NotEqual(HttpStatusCode.Unauthorized, ready.StatusCode);
    }

    private async Task<HttpResponseMessage> SendBasicAsync(string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add(WebSilo.RemoteAddressHeader, WebSilo.Remote);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("anyone:" + key)));
        return await Silo.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private async Task<string> SubmitAsAdminAsync()
    {
        using var response = await Silo.SendAsync(HttpMethod.Post, $"/api/queues/{Queue}/tasks", WebSilo.Remote, bearer: AccessKeys.Admin, json: Submit);
        return (await ApiAssert.OkAsync(response)).GetProperty("id").GetString()!;
    }
}
