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
