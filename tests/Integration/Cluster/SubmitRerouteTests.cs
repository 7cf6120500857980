using System.Diagnostics;
using DistributedTaskQueue.Tests.Support;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration.Cluster;

/// <summary>
/// A queue with four partitions on three silo processes; the silo hosting partition 0 is SIGKILLed and is not yet
/// declared dead. A submit already sent to partition 0 waits for it (only that partition can recognise a repeat of it),
/// while new submits pass over partition 0 at once; nothing fails and nothing runs twice (issue 12).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class SubmitRerouteTests(RedisFixture fixture, ITestOutputHelper output)
{
    private const int Partitions = 4;

    [Fact]
    public async Task WhileAPartitionsSiloIsDeadButNotDeclaredDead_NewSubmitsPassOverIt_AndNoneFails()
    {
        const string queue = "reroute";
        await using var setup = await StartSpreadAsync(queue);
        var (silos, client, hosts) = (setup.Silos, setup.Client, setup.Hosts);
        var victim = hosts[0];
        output.WriteLine("partition hosts: " + string.Join(", ", hosts.Select(h => Array.IndexOf(silos, h))));

        victim.Kill();
        var clock = Stopwatch.StartNew();
        var held = client.SubmitAsync(BuiltInTasks.Echo, "\"held\"", queue, new TaskOptions { IdempotencyKey = KeyFor(0, "held") });
        await ClusterProbes.Eventually(() => Task.FromResult(client.Availability.IsMarked(queue, 0) || held.IsCompleted), TimeSpan.FromSeconds(30), "partition 0 marked");
        output.WriteLine($"partition 0 marked after {clock.ElapsedMilliseconds} ms (held submit done: {held.IsCompleted})");

        var moved = new List<TaskId>();
        while (!held.IsCompleted && moved.Count < 200)
        {
            var id = await client.SubmitAsync(BuiltInTasks.Echo, $"\"new-{moved.Count}\"", queue);
            if (!held.IsCompleted) moved.Add(id);
        }
        output.WriteLine($"{moved.Count} new submits while the held one waited ({clock.ElapsedMilliseconds} ms), on partitions " +
                         string.Join(",", moved.Select(m => m.Partition).Distinct().Order()));
        Assert.True(moved.Count >= 5, $"the held submit finished after {moved.Count} new ones: the test saw too little");
        Assert.DoesNotContain(moved, id => id.Partition == 0);

        var heldId = await held; // answered once the killed silo is declared dead and partition 0 moves
        output.WriteLine($"held submit answered after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(0, heldId.Partition);
        foreach (var id in moved.Append(heldId)) Assert.Equal(TaskState.Succeeded, (await client.WaitAsync(id, TimeSpan.FromSeconds(60))).State);
        // No retry made a second task: each partition's ids are exactly its next sequences after the set-up's.
        foreach (var partition in moved.Append(heldId).GroupBy(id => id.Partition))
        {
            var sequences = partition.Select(id => id.Sequence).Order().ToList();
            Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => sequences[0] + i), sequences);
            Assert.Null(await client.GetTaskAsync(new TaskId(queue, partition.Key, sequences[^1] + 1)));
        }
    }

    private static string KeyFor(int partition, string prefix) =>
        Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}").First(k => TaskPartitioner.PartitionFor(k, Partitions) == partition);

    /// <summary>
    /// Three silos and every partition activated (one keyed submit each). The first silo's worker activates them while it
    /// runs alone, so they all start there: killing it leaves every partition unreachable until it is declared dead,
    /// and new submits must still not queue behind the first one that failed.
    /// </summary>
    private async Task<Spread> StartSpreadAsync(string queue)
    {
        var clusterId = queue + "-" + Guid.NewGuid().ToString("N")[..8];
        var silos = new SiloProcess[3];
        for (var i = 0; i < silos.Length; i++) silos[i] = await SiloProcess.StartAsync(fixture.Redis, clusterId, [queue], Partitions);
        var client = await TaskClient.ConnectAsync(fixture.Redis.ConnectionString, o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
            o.PartitionsPerQueue = Partitions;
            o.SubmitTimeout = TimeSpan.FromSeconds(120);
        });
        for (var p = 0; p < Partitions; p++) await client.SubmitAsync(BuiltInTasks.Echo, "0", queue, new TaskOptions { IdempotencyKey = KeyFor(p, "setup") });
        var hosts = Enumerable.Range(0, Partitions)
            .Select(p => silos.Single(s => s.Output.Contains($"Queue partition {queue}:{p} activated", StringComparison.Ordinal)))
            .ToArray();
        return new Spread(silos, client, hosts);
    }

    private sealed record Spread(SiloProcess[] Silos, TaskClient Client, SiloProcess[] Hosts) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            foreach (var silo in Silos) await silo.DisposeAsync();
        }
    }
}
