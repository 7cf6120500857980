namespace DistributedTaskQueue.Tests.Support;

/// <summary>A web silo with no access rule configured (loopback callers only), the dashboard on, as src/Silo starts.</summary>
public sealed class LoopbackWebSilo : IAsyncLifetime
{
    public const string Queue = "access-loopback";

    public WebSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await WebSilo.StartAsync([Queue]);

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
