using DistributedTaskQueue.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A queue partition played here as its grain plays it (open, change, flush) over the storage of a running silo, so a
/// test can put faults between the steps and every claim is about what Redis holds.
/// </summary>
internal sealed record PlayedPartition(PartitionStore Store, QueuePartition Partition)
{
    /// <summary>
    /// Opens partition 0 of <paramref name="queue"/> as its grain does: reading through <paramref name="storage"/>,
    /// flushing through <paramref name="flush"/> (the atomic path) or, when it is null, through the storage in order.
    /// </summary>
    public static async Task<PlayedPartition> OpenAsync(TaskQueueCluster cluster, IGrainStorage storage, IPartitionFlush? flush, string queue, TimeProvider time)
    {
        var services = cluster.Cluster.Silos[0].ServiceProvider;
        var key = QueueNames.PartitionKey(queue, 0);
        var store = new PartitionStore(storage, flush, services.GetRequiredService<Serializer>(), GrainId.Create(TaskQueueGrain.GrainTypeName, key));
        var options = services.GetRequiredService<IOptions<PartitionOptions>>().Value;
        var loader = new PartitionLoader(store, services.GetRequiredService<PartitionMetrics>(), options, time, queue, key, NullLogger.Instance);
        return new PlayedPartition(store, await loader.OpenAsync(0, services.GetRequiredService<IOptions<TaskQueueOptions>>().Value.DefaultRetry));
    }

    /// <summary>One group-commit write, as PartitionWrites.BeginWrite makes it.</summary>
    public async Task FlushAsync()
    {
        var staged = Partition.TakeStaged();
        Partition.TakeFinished();
        await Store.WriteAsync(Partition.Head, Partition.TakeDirty());
        Partition.CommitStaged(staged);
        Partition.Settle();
    }
}
