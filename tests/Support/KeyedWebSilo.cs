namespace DistributedTaskQueue.Tests.Support;

/// <summary>A web silo with an Admin and a ReadOnly key (<see cref="AccessKeys"/>), results hidden from ReadOnly, every log line kept.</summary>
public sealed class KeyedWebSilo : IAsyncLifetime
{
    public const string Queue = "access-keyed";

    public WebSilo Silo { get; private set; } = null!;

    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync() => Silo = await WebSilo.StartAsync([Queue], AccessKeys.Configure, logs: Logs);

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
