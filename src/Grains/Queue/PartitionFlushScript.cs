using Orleans.Storage;
using StackExchange.Redis;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// One partition flush as one Redis call: a Lua script that checks every state's ETag and then writes or deletes all
/// of them, or touches nothing. It writes exactly what Orleans' Redis grain storage reads (a hash with the fields
/// <c>etag</c> and <c>data</c> under <see cref="PartitionStorageKeys"/>), with the storage's ETag rule (a missing or
/// empty stored ETag matches only an empty expected one), so reads and activation go through the grain storage as
/// before. The script is loaded once (SCRIPT LOAD) and run by hash (EVALSHA); a server that lost it is given it again.
/// </summary>
internal sealed class PartitionFlushScript(SiloRedis redis, PartitionStorageKeys keys) : IPartitionFlush
{
    /// <summary>
    /// KEYS: the states. ARGV[1]: the flush's new ETag; then per key i: ARGV[3i-1] 'w' (write) or 'd' (delete),
    /// ARGV[3i] the ETag the caller holds ('' for none), ARGV[3i+1] the bytes ('' for a delete). Returns 0 when all
    /// was applied, else the (1-based) index of the first key whose ETag differs, having applied nothing.
    /// </summary>
    internal const string Source = """
        for i = 1, #KEYS do
          local stored = redis.call('HGET', KEYS[i], 'etag')
          local expected = ARGV[3 * i]
          if not (((not stored or stored == '') and expected == '') or stored == expected) then
            return i
          end
        end
        for i = 1, #KEYS do
          if ARGV[3 * i - 1] == 'd' then
            redis.call('DEL', KEYS[i])
          else
            redis.call('HSET', KEYS[i], 'etag', ARGV[1], 'data', ARGV[3 * i + 1])
          end
        end
        return 0
        """;

    private static readonly RedisValue Write = "w";
    private static readonly RedisValue Delete = "d";
    private volatile byte[]? _hash;

    public async Task WriteAsync(GrainId grainId, IReadOnlyList<FlushEntry> entries)
    {
        var redisKeys = new RedisKey[entries.Count];
        var args = new RedisValue[1 + 3 * entries.Count];
        // One new ETag for every state of the flush: each key's ETag still changes with every write of it.
        var etag = Guid.NewGuid().ToString("N");
        args[0] = etag;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            redisKeys[i] = keys.For(entry.StateName, grainId);
            args[3 * i + 1] = entry.IsDelete ? Delete : Write;
            args[3 * i + 2] = entry.State.ETag ?? "";
            args[3 * i + 3] = entry.Data ?? RedisValue.EmptyString;
        }
        int conflict;
        try
        {
            conflict = (int)await EvaluateAsync(redisKeys, args).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            // Orleans has no codec for the client library's exceptions: one reaching a caller (a waiter told that the
            // partition broke) would fail to serialize and hide what happened. Its text is kept, as the storage does.
            throw new Orleans.Persistence.Redis.RedisStorageException($"The flush of {grainId} failed ({ex.GetType().Name}): {ex.Message}");
        }
        if (conflict != 0)
        {
            var stale = entries[conflict - 1];
            throw new InconsistentStateException(
                $"Version conflict (partition flush): GrainId={grainId} State={stale.StateName} ETag={stale.State.ETag}. Another activation wrote it; nothing of this flush was written.");
        }
        foreach (var entry in entries)
        {
            entry.State.ETag = entry.IsDelete ? null : etag;
            entry.State.RecordExists = !entry.IsDelete;
        }
    }

    private async Task<RedisResult> EvaluateAsync(RedisKey[] redisKeys, RedisValue[] args)
    {
        var connection = await redis.ConnectAsync().ConfigureAwait(false);
        var db = connection.GetDatabase();
        var hash = _hash ?? await LoadAsync(connection).ConfigureAwait(false);
        try
        {
            return await db.ScriptEvaluateAsync(hash, redisKeys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The server's script cache was emptied (SCRIPT FLUSH, a restart, a promoted replica): nothing ran, so
            // loading it again and retrying once is safe.
            hash = await LoadAsync(connection).ConfigureAwait(false);
            return await db.ScriptEvaluateAsync(hash, redisKeys, args).ConfigureAwait(false);
        }
    }

    /// <summary>Loads the script on every connected primary (a cluster runs it where the partition's slot lives).</summary>
    private async Task<byte[]> LoadAsync(IConnectionMultiplexer connection)
    {
        byte[]? hash = null;
        foreach (var server in connection.GetServers())
        {
            if (server.IsConnected && !server.IsReplica) hash = await server.ScriptLoadAsync(Source).ConfigureAwait(false);
        }
        _hash = hash ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connected Redis primary to load the partition flush script on.");
        return hash;
    }
}
