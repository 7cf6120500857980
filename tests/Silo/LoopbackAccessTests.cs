using System.Net;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>Secure by default: with no key configured the API and the dashboard answer loopback callers (as Admin) and nobody else.</summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class LoopbackAccessTests(LoopbackWebSilo fixture) : IClassFixture<LoopbackWebSilo>
{
    private const string Submit = """{"taskName":"dtq.echo","payload":1}""";

    [Theory]
    [InlineData(WebSilo.Remote)]
    [InlineData("10.0.0.5")]
    [InlineData("::ffff:203.0.113.7")]
    [InlineData("2001:db8::1")]
    public async Task ARemoteCaller_Gets401_NamingTheSettingThatLetsItIn_EvenWithAKey(string remote)
    {
        foreach (var path in new[] { "/api/worker", "/dashboard/", "/dashboard/DashboardCounters" })
        {
            using var response = await fixture.Silo.SendAsync(HttpMethod.Get, path, remote, bearer: AccessKeys.Admin);
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains("TaskQueue:Access:Keys", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        using var submit = await fixture.Silo.SendAsync(HttpMethod.Post, $"/api/queues/{LoopbackWebSilo.Queue}/tasks", remote, json: Submit);
        await ApiAssert.ProblemAsync(submit, HttpStatusCode.Unauthorized);
    }

    /// <summary>
    /// DNS rebinding: a page on another site points its own name at 127.0.0.1 and calls the silo as same-origin from the
    /// user's browser. The connection is loopback, but the Host header still names that site.
    /// </summary>
    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:5101")]
    [InlineData("10.0.0.5:5101")]
    [InlineData("localhost.attacker.example")]
    public async Task ALoopbackCaller_NamingTheSiloByAnotherHost_Gets401_WithoutAKey(string host)
    {
        foreach (var (method, path, json) in new[] { (HttpMethod.Get, "/api/worker", (string?)null), (HttpMethod.Post, $"/api/queues/{LoopbackWebSilo.Queue}/tasks", Submit), (HttpMethod.Get, "/ui/", null) })
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            request.Headers.Host = host;
            if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            using var response = await fixture.Silo.Http.SendAsync(request);
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains("Host header", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST:5101")]
    [InlineData("dtq.localhost")]
    [InlineData("127.0.0.1:5101")]
    [InlineData("[::1]:5101")]
    public async Task ALoopbackCaller_NamingTheSiloByALoopbackHost_IsLetIn(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/worker", UriKind.Relative));
        request.Headers.Host = host;
        using var response = await fixture.Silo.Http.SendAsync(request);
        await ApiAssert.OkAsync(response);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.9")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task ALoopbackCaller_ReadsAndActs_WithoutAKey(string? loopback)
    {
        using var submit = await fixture.Silo.SendAsync(HttpMethod.Post, $"/api/queues/{LoopbackWebSilo.Queue}/tasks", loopback, json: Submit);
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        using var worker = await fixture.Silo.SendAsync(HttpMethod.Get, "/api/worker", loopback);
        await ApiAssert.OkAsync(worker);
    }

    [Fact]
    public async Task HealthEndpoints_AnswerRemoteCallers()
    {
        foreach (var path in new[] { "/health/live", "/health/ready", "/healthz" })
        {
            using var response = await fixture.Silo.SendAsync(HttpMethod.Get, path, WebSilo.Remote);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
