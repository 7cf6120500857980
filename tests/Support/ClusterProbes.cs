using System.Diagnostics;
using Orleans.TestingHost;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>What integration tests ask a running test cluster: who ran what, which silo is which, where a partition lives.</summary>
public static class ClusterProbes
{
    /// <summary>The first execution of <paramref name="queue"/> at or past <paramref name="attempt"/>.</summary>
    public static async Task<Executions.Entry> WaitForExecution(string queue, int attempt, TimeSpan timeout, string? label = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Executions.Of(queue).FirstOrDefault(e => e.Attempt >= attempt && (label is null || e.Label == label)) is { } entry) return entry;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no attempt {attempt} on {queue} within {timeout}");
    }

    /// <summary>The silo a worker id names (worker ids are silo addresses).</summary>
    public static InProcessSiloHandle SiloOf(TaskQueueCluster cluster, string workerId) =>
        cluster.Cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == workerId);

    /// <summary>The silo hosting a queue partition's activation.</summary>
    public static async Task<InProcessSiloHandle> OwnerSilo(TaskQueueCluster cluster, string partitionKey)
    {
        var grain = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(partitionKey);
        var grainId = grain.GetGrainId();
        var stats = await cluster.Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var address = stats.Single(s => s.GrainId == grainId).SiloAddress;
        return cluster.Cluster.Silos.Single(s => s.SiloAddress.Equals(address));
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"{what}: not within {timeout}");
            await Task.Delay(50);
        }
    }
}
