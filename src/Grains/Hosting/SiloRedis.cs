using StackExchange.Redis;

namespace DistributedTaskQueue;

/// <summary>
/// The silo's one Redis connection: Orleans' membership table, reminder table and grain storages (partitions,
/// schedules) are handed it as a shared multiplexer (so none disposes it), and <see cref="Queue.PartitionFlushScript"/>
/// writes partitions through it. One connection instead of four: each was a handshake in the start path, and
/// StackExchange.Redis pipelines every caller over one socket anyway. (Health checks keep a connection of their own:
/// they are meant to reveal this one's failures.) Connects on first use; a failed connect is tried again by the next caller.
/// </summary>
internal sealed class SiloRedis(ConfigurationOptions options) : IAsyncDisposable
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

    /// <summary>For Orleans' Redis providers' <c>CreateMultiplexer</c>: this connection, marked shared so they never dispose it.</summary>
    public async Task<(IConnectionMultiplexer Multiplexer, bool IsShared)> SharedAsync<TOptions>(TOptions options) => (await ConnectAsync().ConfigureAwait(false), true);

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_lock) connecting = _connecting;
        if (connecting is null) return;
        ConnectionMultiplexer connection;
        try
        {
            // A silo stopped while its first connect is under way: wait for it, or the connection it opens is never closed.
            connection = await connecting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            return; // never connected: nothing to close
        }
        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
