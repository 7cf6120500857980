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
    // Took 19.2 s (PollingInterval 20 s) until partitions ended their parked polls at the stop of the stage before grain
    // deactivation (LocalPartitions), not in OnDeactivateAsync, which Orleans runs only after those polls had ended.
    [Fact]
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
