using System.Net;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// What is not a loss: Redis killed and restarted with its append-only file (everything comes back), with two silo
/// processes started at once beside it and a gap while it is down. Neither silo may fail its liveness for it.
/// </summary>
public sealed class RedisDataLossFalseAlarmTests
{
    [Fact]
    public async Task ARedisRestartWithItsAppendOnlyFile_UnderTwoSilosStartedAtOnce_IsNoLoss()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "always");
        var clusterId = "noloss-" + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient();
        var starting = new[] { SiloProcess.StartAsync(redis, clusterId, ["noloss"]), SiloProcess.StartAsync(redis, clusterId, ["noloss"]) };
        await using var first = await starting[0];
        await using var second = await starting[1];
        Uri[] live = [new($"http://127.0.0.1:{first.HttpPort}/health/live"), new($"http://127.0.0.1:{second.HttpPort}/health/live")];
        await ClusterProbes.Eventually(async () => (await redis.Connection.GetDatabase().StringGetAsync($"{clusterId}/incarnation")).HasValue,
            TimeSpan.FromSeconds(30), "the incarnation key written");
        await Task.Delay(RedisDataLossWatch.CheckEvery + TimeSpan.FromSeconds(1));

        await redis.KillAsync();
        await Task.Delay(RedisDataLossWatch.CheckEvery + TimeSpan.FromSeconds(1)); // a check or more while Redis is down
        await redis.RestartAsync();
        await Task.Delay((RedisDataLossWatch.CheckEvery * 2) + TimeSpan.FromSeconds(1));

        foreach (var uri in live) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(uri)).StatusCode);
        Assert.DoesNotContain("Redis lost its data", first.Output + second.Output, StringComparison.Ordinal);
    }
}
