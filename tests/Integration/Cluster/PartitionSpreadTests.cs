using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Metadata;

namespace DistributedTaskQueue.Tests.Integration.Cluster;

/// <summary>A queue's partitions land on distinct silos, so one silo's death leaves the others reachable (issue 12).</summary>
[Collection(RedisGroup.Name)]
public sealed class PartitionSpreadTests(RedisFixture fixture)
{
    [Fact]
    public async Task AQueuesPartitions_ActivatedThroughOneClient_LandOnDistinctSilos()
    {
        const string queue = "spread";
        // No worker serves the queue, so nothing activates its partitions while silos start (a silo that just started
        // places what it activates on itself: it sees no other silo yet).
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["elsewhere"], silos: 3, configure: (_, s) => s.Options.PartitionsPerQueue = 3);
        await ClusterProbes.Eventually(() => Task.FromResult(cluster.Cluster.Silos.All(s =>
            s.SiloHost.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == 3 &&
            s.SiloHost.Services.GetRequiredService<IClusterManifestProvider>().Current.Silos.Count == 3)), TimeSpan.FromSeconds(30), "every silo sees three");
        var owners = new List<string>();
        for (var p = 0; p < 3; p++)
        {
            await cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, p)).GetStatsAsync();
            owners.Add((await ClusterProbes.OwnerSilo(cluster, QueueNames.PartitionKey(queue, p))).SiloAddress.ToParsableString());
        }
        Assert.True(owners.Distinct().Count() == 3, string.Join(", ", owners));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void ConsecutivePartitions_TakeConsecutiveSlots(int silos)
    {
        var first = QueueSpreadPlacementDirector.SlotOf("emails:0", silos);
        for (var p = 1; p < silos; p++) Assert.Equal((first + p) % silos, QueueSpreadPlacementDirector.SlotOf($"emails:{p}", silos));
        Assert.InRange(QueueSpreadPlacementDirector.SlotOf("not-a-partition", silos), 0, silos - 1);
    }
}
