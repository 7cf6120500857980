using System.Globalization;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Integration.Cluster;

/// <summary>
/// Silos and clients on a three-primary Redis Cluster rather than one server: two silo processes submit, run, wait and
/// restart with nothing lost, and no partition's keys span two hash slots (so every flush script and read stays on one node).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class RedisClusterTests
{
    private const string Queue = "rc";

    [Fact]
    public async Task TwoSilosOnARedisCluster_SubmitRunWaitAndRestart_WithNothingLost()
    {
        await using var redis = await RedisClusterServer.StartAsync();
        var clusterId = "rc-" + Guid.NewGuid().ToString("N")[..8];
        void Configure(TaskQueueOptions o)
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
            o.PartitionsPerQueue = 4;
        }

        var silos = await StartSilosAsync(redis, clusterId);
        List<TaskId> held;
        TaskId delayed;
        await using (var client = await TaskClient.ConnectAsync(redis.ConnectionString, Configure))
        {
            // Run and wait, across four partitions (each batch goes to the next partition).
            var ran = await SubmitInBatchesAsync(client, 200);
            foreach (var (id, i) in ran.Select((id, i) => (id, i)))
                Assert.Equal(i, (await client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(60))).GetInt32());
            Assert.Equal(4, ran.Select(id => id.Partition).Distinct().Count());

            // Then a backlog that must outlive both silos: paused, so nothing runs before the restart.
            await client.PauseQueueAsync(Queue);
            held = await SubmitInBatchesAsync(client, 400);
            delayed = await client.SubmitAsync(BuiltInTasks.NoOp, "null", Queue, new TaskOptions { Delay = TimeSpan.FromSeconds(3) });
            Assert.Equal(400, (await client.GetQueueStatsAsync(Queue)).Pending);
        }

        // Every silo stopped, new ones started: the whole cluster restarts on what the Redis Cluster kept. (Stopped, not
        // killed: silos that all crashed stay Active in the membership table, and a new silo cannot join past them until
        // they are declared dead; the crash cases are FailoverTests' and CrashTests', on one Redis server.)
        foreach (var silo in silos) await silo.StopAsync();
        foreach (var silo in silos) await silo.DisposeAsync();
        silos = await StartSilosAsync(redis, clusterId);
        try
        {
            await using var client = await TaskClient.ConnectAsync(redis.ConnectionString, Configure);
            var stats = await client.GetQueueStatsAsync(Queue);
            Assert.True(stats.Paused);
            // The delayed task may have come due meanwhile: pending then, but waiting for the resume like the rest.
            Assert.Equal(401, stats.Pending + stats.Delayed);
            await client.ResumeQueueAsync(Queue);
            foreach (var (id, i) in held.Select((id, i) => (id, i)))
                Assert.Equal(i, (await client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(60))).GetInt32());
            await client.WaitAsync(delayed, TimeSpan.FromSeconds(60));
            stats = await client.GetQueueStatsAsync(Queue);
            Assert.Equal(601, stats.Succeeded);
            Assert.Equal(0, stats.Pending + stats.Running + stats.Delayed + stats.DeadLettered);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }

        // Each partition's keys share one hash slot; the partitions spread over the primaries.
        var slots = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        var nodesHolding = new HashSet<int>();
        for (var n = 0; n < redis.Nodes.Count; n++)
        {
            var node = redis.Nodes[n];
            var server = node.Connection.GetServer(node.Connection.GetEndPoints()[0]);
            await foreach (var key in server.KeysAsync(pattern: $"{clusterId}/state/{{taskqueue/*"))
            {
                var text = key.ToString();
                var tag = text[(text.IndexOf('{', StringComparison.Ordinal) + 1)..text.IndexOf('}', StringComparison.Ordinal)];
                var slot = (long)await node.Connection.GetDatabase().ExecuteAsync("CLUSTER", "KEYSLOT", text);
                if (!slots.TryGetValue(tag, out var set)) slots[tag] = set = [];
                set.Add(slot);
                nodesHolding.Add(n);
            }
        }
        Assert.Equal(4, slots.Count(s => s.Key.StartsWith($"taskqueue/{Queue}:", StringComparison.Ordinal)));
        Assert.All(slots, s => Assert.Single(s.Value));
        Assert.True(nodesHolding.Count >= 2, $"the queue's partitions all landed on one primary ({string.Join(", ", slots.Select(s => $"{s.Key}: {string.Join(",", s.Value)}"))})");
    }

    /// <summary>Echo tasks 0..count-1 in eight batches, so they spread over the queue's partitions.</summary>
    private static async Task<List<TaskId>> SubmitInBatchesAsync(TaskClient client, int count)
    {
        var ids = new List<TaskId>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(count / 8))
            ids.AddRange(await client.SubmitBatchAsync(BuiltInTasks.Echo, chunk.Select(i => i.ToString(CultureInfo.InvariantCulture)), Queue));
        return ids;
    }

    private static async Task<List<SiloProcess>> StartSilosAsync(RedisClusterServer redis, string clusterId)
    {
        var silos = new List<SiloProcess>();
        for (var i = 0; i < 2; i++)
        {
            var http = RedisServer.FreePort();
            silos.Add(await SiloProcess.StartWithEnvironmentAsync(new Dictionary<string, string>
            {
                ["TaskQueue__Redis"] = redis.ConnectionString,
                ["TaskQueue__ClusterId"] = clusterId,
                ["TaskQueue__ServiceId"] = clusterId,
                ["TaskQueue__SiloPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
                ["TaskQueue__GatewayPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
                ["TaskQueue__AdvertisedAddress"] = "127.0.0.1",
                ["TaskQueue__PartitionsPerQueue"] = "4",
                ["TaskQueue__RedisDurability"] = "Require",
                ["TaskQueue__Worker__Queues__0"] = Queue,
                ["ASPNETCORE_HTTP_PORTS"] = http.ToString(CultureInfo.InvariantCulture),
            }, http));
        }
        return silos;
    }
}
