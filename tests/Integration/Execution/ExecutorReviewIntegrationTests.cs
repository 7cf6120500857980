using System.Diagnostics;
using DistributedTaskQueue.Tests.Support;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>A review of how workers and the partition grain meet at a graceful stop, on real Redis and real silos.</summary>
[Collection(RedisGroup.Name)]
public sealed class ExecutorReviewIntegrationTests(RedisFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Another silo's worker keeps a long poll parked at the partition (up to PollingInterval). The partition ends parked
    /// polls only in OnDeactivateAsync, which Orleans runs once the activation's requests in flight have finished, so a
    /// graceful stop of the partition's silo waits out the other workers' long polls.
    /// </summary>
    [Fact(Skip = "defect: a graceful stop of the silo hosting a partition waits out the parked LeaseAsync calls of the other silos' " +
        "workers, which the partition ends only in OnDeactivateAsync (Orleans runs it after the requests in flight finish): 19.2 s at " +
        "PollingInterval 20 s, 4.3 s at 5 s; at the default 10 s this is the 10-11 s partition hand-over chaos.sh rolling reports. " +
        "The fix needs a hook before deactivation (e.g. a silo-lifecycle stop stage that ends every local partition's parked calls " +
        "and stops parking new ones), not a small change.")]
    public async Task StoppingThePartitionsSilo_IsNotHeldUpByAnotherSilosParkedLeaseCall()
    {
        const string queue = "review-stop";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 2,
            configure: (_, s) => s.Worker.PollingInterval = TimeSpan.FromSeconds(20));
        var id = await cluster.Client.SubmitAsync(new RecordTask("wake"), queue);
        Assert.Equal("wake", await cluster.Client.WaitForResultAsync<string>(id, Timeout));
        await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System); // both workers park their next long poll
        var owner = await ClusterProbes.OwnerSilo(cluster, id.PartitionKey);

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.StopSiloAsync(owner);
        output.WriteLine($"stopping the partition's silo took {clock.ElapsedMilliseconds} ms");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"stopping the partition's silo took {clock.Elapsed}");
    }
}
