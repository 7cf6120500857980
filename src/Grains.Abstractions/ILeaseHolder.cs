using Orleans.Concurrency;

namespace DistributedTaskQueue;

// The alias keeps the wire name it had as ITaskWorkerObserver: silos of both versions talk during a rolling upgrade.
/// <summary>
/// The holder of leases as a queue partition sees it (a silo's consumer of that partition): the partition pushes
/// cancels of running attempts to it.
/// </summary>
[Alias("dtq.ITaskWorkerObserver")]
public interface ILeaseHolder : IGrainObserver
{
    /// <summary>Fires the cancellation tokens of these running attempts.</summary>
    [OneWay, Alias("Cancel")]
    Task CancelAsync(LeaseToken[] attempts);
}
