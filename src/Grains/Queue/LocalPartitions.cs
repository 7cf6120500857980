using System.Collections.Concurrent;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// This silo's partition activations, told when the silo is about to deactivate its grains. Orleans deactivates a grain
/// only once its requests in flight have ended, and a partition's requests include the long polls other silos' workers
/// park on it (up to their PollingInterval): ended only in OnDeactivateAsync, they held every graceful stop of a
/// partition's silo, and the submits waiting for its next activation, for a whole polling interval (10-19 s measured).
/// At the stop of <see cref="ServiceLifecycleStage.BecomeActive"/>, the stage just before Orleans' grain deactivation
/// and after the worker's grace period (the worker is a hosted service that stops before the silo), every partition
/// here ends its parked polls and parks no more.
/// </summary>
internal sealed class LocalPartitions : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentDictionary<object, Func<Task>> _partitions = new();
    private volatile bool _stopping;

    /// <summary>Whether this silo is deactivating its grains: a lease call must not park.</summary>
    public bool Stopping => _stopping;

    /// <summary>Registers an activation; <paramref name="endParked"/> runs on the activation's own scheduler.</summary>
    public void Add(object partition, Func<Task> endParked) => _partitions[partition] = endParked;

    public void Remove(object partition) => _partitions.TryRemove(partition, out _);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LocalPartitions), ServiceLifecycleStage.BecomeActive, _ => Task.CompletedTask, StopParkingAsync);

    private async Task StopParkingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await Task.WhenAll(_partitions.Values.Select(endParked => endParked())).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
