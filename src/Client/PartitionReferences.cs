using System.Collections.Concurrent;

namespace DistributedTaskQueue;

/// <summary>
/// The client's grain references to queue partitions, made once per queue: a reference is immutable and cheap to
/// share, while making one (key string, grain id, reference) on every submit was measurable on the client's hot path.
/// Bounded, so an app that names a new queue per request does not grow without end (beyond the bound it makes them).
/// </summary>
internal sealed class PartitionReferences(IGrainFactory grains, int partitionsPerQueue)
{
    private const int MaxQueues = 1024;
    private readonly ConcurrentDictionary<string, ITaskQueueGrain[]> _byQueue = new(StringComparer.Ordinal);

    public ITaskQueueGrain Get(string queue, int partition)
    {
        if ((uint)partition >= (uint)partitionsPerQueue) return Make(queue, partition); // an id from a differently configured client
        if (_byQueue.TryGetValue(queue, out var partitions)) return partitions[partition];
        partitions = new ITaskQueueGrain[partitionsPerQueue];
        for (var i = 0; i < partitions.Length; i++) partitions[i] = Make(queue, i);
        if (_byQueue.Count < MaxQueues) _byQueue.TryAdd(queue, partitions);
        return partitions[partition];
    }

    private ITaskQueueGrain Make(string queue, int partition) => grains.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, partition));
}
