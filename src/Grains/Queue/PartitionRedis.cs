using StackExchange.Redis;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// The silo's one connection for partition storage: Orleans' Redis grain storage reads partitions through it
/// (handed over as a shared multiplexer, so the storage never disposes it) and <see cref="PartitionFlushScript"/>
/// writes them through it. Connects on first use; a failed connect is tried again by the next caller.
/// </summary>
internal sealed class PartitionRedis(ConfigurationOptions options) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private volatile Task<ConnectionMultiplexer>? _connecting;

    public ValueTask<IConnectionMultiplexer> ConnectAsync()
    {
        // Every flush asks: once connected, no lock and no allocation.
        if (_connecting is { IsCompletedSuccessfully: true } connected) return new ValueTask<IConnectionMultiplexer>(connected.Result);
        lock (_lock)
        {
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled) _connecting = ConnectionMultiplexer.ConnectAsync(options);
            return AwaitAsync(_connecting);
        }

        static async ValueTask<IConnectionMultiplexer> AwaitAsync(Task<ConnectionMultiplexer> connecting) => await connecting.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_lock) connecting = _connecting;
        if (connecting is { IsCompletedSuccessfully: true }) await connecting.Result.DisposeAsync().ConfigureAwait(false);
    }
}
