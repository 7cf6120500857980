using Orleans.Concurrency;

namespace DistributedTaskQueue;

/// <summary>A worker as its queue partitions see it: the partition pushes cancels to the worker that holds the lease.</summary>
[Alias("dtq.ITaskWorkerObserver")]
public interface ITaskWorkerObserver : IGrainObserver
{
    /// <summary>Fires the cancellation tokens of these running attempts.</summary>
    [OneWay, Alias("Cancel")]
    Task CancelAsync(LeaseToken[] attempts);
}
