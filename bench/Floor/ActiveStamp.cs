namespace DistributedTaskQueue.Floor;

/// <summary>
/// Prints <c>silo-active UNIX_MS</c> when the silo reaches its Active stage: the moment the stock silo's worker starts
/// serving (it leases at Active, before the web host has started).
/// </summary>
internal sealed class ActiveStamp : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ActiveStamp), ServiceLifecycleStage.Active, _ =>
        {
            Console.Out.WriteLine($"silo-active {TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()}");
            return Task.CompletedTask;
        });
}
