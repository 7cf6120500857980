namespace DistributedTaskQueue.Worker;

/// <summary>
/// Completes when the silo reaches <see cref="ServiceLifecycleStage.Active"/>: grain calls work from then on. The worker
/// waited for the host's ApplicationStarted, which comes only once every hosted service started, the web server
/// (about 0.2 s of a cold start) and whatever else the app registered after the silo included; a silo started with tasks
/// waiting now leases them as soon as it can.
/// </summary>
internal sealed class SiloActiveSignal : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly TaskCompletionSource _active = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the silo is active; never faults.</summary>
    public Task Active => _active.Task;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloActiveSignal), ServiceLifecycleStage.Active, _ =>
        {
            _active.TrySetResult();
            return Task.CompletedTask;
        });
}
