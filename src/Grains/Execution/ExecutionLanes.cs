using System.Collections.Concurrent;

namespace DistributedTaskQueue.Execution;

/// <summary>
/// This silo's execution lanes by key (one per silo): how the executor grain, called with a key, finds a consumer's
/// lane in-process, since a grain call's arguments arrive as copies. Counts what the grain did, so the silo (and the
/// tests) can see that executions go through it.
/// </summary>
internal sealed class ExecutionLanes
{
    private readonly ConcurrentDictionary<long, ExecutionLane> _lanes = new();
    // Starts anywhere: keys differ between silos (several share a process in tests), so a call that reached another
    // silo could never find a lane there by chance.
    private long _lastKey = Random.Shared.NextInt64(long.MaxValue / 2);
    private long _sessions;
    private long _attempts;

    /// <summary>Executor grain calls that opened a session.</summary>
    public long Sessions => Interlocked.Read(ref _sessions);

    /// <summary>Attempts the executor grain started.</summary>
    public long AttemptsStarted => Interlocked.Read(ref _attempts);

    /// <summary>Lanes open now.</summary>
    public int Count => _lanes.Count;

    public long Add(ExecutionLane lane)
    {
        var key = Interlocked.Increment(ref _lastKey);
        _lanes[key] = lane;
        return key;
    }

    public ExecutionLane? Find(long key) => _lanes.TryGetValue(key, out var lane) ? lane : null;

    public void Remove(long key) => _lanes.TryRemove(key, out _);

    internal void SessionOpened() => Interlocked.Increment(ref _sessions);

    internal void AttemptStarted() => Interlocked.Increment(ref _attempts);
}
