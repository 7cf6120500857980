using Orleans.Concurrency;
using StackExchange.Redis;

namespace DistributedTaskQueue.Floor;

/// <summary>The one grain of the floor silo.</summary>
public interface IFloorGrain : IGrainWithIntegerKey
{
    /// <summary>A call with no work behind it: Orleans' round trip alone.</summary>
    Task<int> PingAsync(int value);

    /// <summary>A call answered once one Redis <c>SET</c> of <paramref name="value"/> is acknowledged: the least a durable submit waits for.</summary>
    Task<int> WriteAsync(byte[] value);

    /// <summary>
    /// A call answered once a group write carrying <paramref name="value"/> is acknowledged: one write in flight at a
    /// time, each a script that checks an ETag and sets two keys, as our partition's flush does. With
    /// <paramref name="tail"/> each write rewrites the last 64 records (our tail segment); without, only the new ones.
    /// </summary>
    Task<int> GroupWriteAsync(byte[] value, bool tail);
}

/// <summary>
/// Reentrant, so concurrent writes overlap on the one multiplexer (pipelined), as group commit's callers overlap: each
/// call of <see cref="WriteAsync"/> waits for its own write, nothing is batched.
/// </summary>
[Reentrant]
internal sealed class FloorGrain(IConnectionMultiplexer redis) : Grain, IFloorGrain
{
    // KEYS[1] head, KEYS[2] segment; ARGV[1] expected ETag, ARGV[2] new ETag, ARGV[3] segment bytes.
    private const string Flush = """
        local etag = redis.call('HGET', KEYS[1], 'etag')
        if etag and etag ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[2], ARGV[3])
        redis.call('HSET', KEYS[1], 'etag', ARGV[2])
        return 1
        """;

    private readonly List<(byte[] Value, TaskCompletionSource Done)> _pending = [];
    private readonly Queue<byte[]> _tail = new();
    private bool _writing;
    private long _etag;
    private long _writes;

    public Task<int> PingAsync(int value) => Task.FromResult(value);

    public async Task<int> WriteAsync(byte[] value)
    {
        var n = Interlocked.Increment(ref _writes);
        await redis.GetDatabase().StringSetAsync($"floor:{this.GetPrimaryKeyLong()}:{n % 1024}", value).ConfigureAwait(true);
        return value.Length;
    }

    public async Task<int> GroupWriteAsync(byte[] value, bool tail)
    {
        var done = new TaskCompletionSource();
        _pending.Add((value, done));
        if (!_writing) _ = FlushLoopAsync(tail);
        await done.Task.ConfigureAwait(true);
        return value.Length;
    }

    /// <summary>Writes whatever is pending, one write at a time, until nothing is (runs on the grain's turns).</summary>
    private async Task FlushLoopAsync(bool tail)
    {
        _writing = true;
        while (_pending.Count > 0)
        {
            var batch = _pending.ToArray();
            _pending.Clear();
            foreach (var (value, _) in batch)
            {
                _tail.Enqueue(value);
                if (_tail.Count > 64) _tail.Dequeue();
            }
            var bytes = tail ? _tail.SelectMany(v => v).ToArray() : batch.SelectMany(b => b.Value).ToArray();
            var key = this.GetPrimaryKeyLong();
            var result = await redis.GetDatabase().ScriptEvaluateAsync(Flush,
                [new RedisKey($"floor:{key}:head"), new RedisKey($"floor:{key}:segment")],
                [_etag, _etag + 1, bytes]).ConfigureAwait(true);
            _etag++;
            foreach (var (_, done) in batch)
            {
                if ((int)result == 1) done.SetResult();
                else done.SetException(new InvalidOperationException("ETag conflict"));
            }
        }
        _writing = false;
    }
}
