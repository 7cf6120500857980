using System.Net;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Redis restarts empty under a running silo process (no persistence): the silo says so (a critical log, and
/// /health/live and /health/ready fail, so an orchestrator restarts it), and a silo started afterwards makes a new
/// membership table that clients join again (issue 12).
/// </summary>
public sealed class RedisDataLossSignalTests
{
    [Fact]
    public async Task AfterRedisRestartsEmpty_TheSiloFailsItsHealth_AndARestartedSiloServesNewClients()
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "loss-" + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient();
        await using (var silo = await SiloProcess.StartAsync(redis, clusterId, ["loss"]))
        {
            var live = new Uri($"http://127.0.0.1:{silo.HttpPort}/health/live");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(live)).StatusCode);
            // Give the watch time to read the incarnation key once before Redis loses it.
            await ClusterProbes.Eventually(async () => (await redis.Connection.GetDatabase().StringGetAsync($"{clusterId}/incarnation")).HasValue,
                TimeSpan.FromSeconds(30), "the incarnation key written");
            await Task.Delay(RedisDataLossWatch.CheckEvery + TimeSpan.FromSeconds(1));

            await redis.KillAsync();
            await redis.RestartAsync(); // nothing persisted: it comes back empty

            await ClusterProbes.Eventually(async () => (await http.GetAsync(live)).StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), "/health/live failing");
            var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{silo.HttpPort}/health/ready"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("Redis lost its data", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await ClusterProbes.Eventually(() => Task.FromResult(silo.Output.Contains("Redis lost its data", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10), "the critical log");
            silo.Kill(); // what an orchestrator does when liveness fails
        }

        // The restarted silo writes a new table and a new incarnation: new clients join and tasks run.
        await using var restarted = await SiloProcess.StartAsync(redis, clusterId, ["loss"]);
        await using var client = await TaskClient.ConnectAsync(redis.ConnectionString, o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
        });
        var id = await client.SubmitAsync(BuiltInTasks.Echo, "\"back\"", "loss");
        Assert.Equal("back", await client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(30)));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{restarted.HttpPort}/health/live"))).StatusCode);
    }
}
