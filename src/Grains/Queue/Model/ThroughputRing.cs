namespace DistributedTaskQueue.Queue;

/// <summary>
/// A partition's throughput over the last 10 minutes: a fixed ring of 60 buckets of 10 s (<see cref="ThroughputBucket"/>),
/// each slot remembering which bucket it holds, so a slot is reset when time comes round to it again and a gap of any
/// length needs no catching up. On the hot path: counting is O(1) and allocates nothing. In memory only.
/// </summary>
internal sealed class ThroughputRing
{
    /// <summary>Buckets kept: <see cref="ThroughputBucket.History"/> over <see cref="ThroughputBucket.Width"/>.</summary>
    public static readonly int Buckets = (int)(ThroughputBucket.History.Ticks / ThroughputBucket.Width.Ticks);

    private static readonly long WidthTicks = ThroughputBucket.Width.Ticks;
    // Which bucket (UTC ticks over the width) each slot holds; 0 is year 1, never a current one.
    private readonly long[] _held = new long[Buckets];
    private readonly long[] _submitted = new long[Buckets];
    private readonly long[] _succeeded = new long[Buckets];
    private readonly long[] _failed = new long[Buckets];

    public void Submitted(DateTimeOffset at)
    {
        if (Slot(at) is var slot and >= 0) _submitted[slot]++;
    }

    public void Succeeded(DateTimeOffset at)
    {
        if (Slot(at) is var slot and >= 0) _succeeded[slot]++;
    }

    public void Failed(DateTimeOffset at)
    {
        if (Slot(at) is var slot and >= 0) _failed[slot]++;
    }

    /// <summary>The 60 buckets ending with the one <paramref name="now"/> falls in, oldest first; buckets nothing happened in are zeros.</summary>
    public List<ThroughputBucket> Snapshot(DateTimeOffset now)
    {
        var newest = now.UtcTicks / WidthTicks;
        var buckets = new List<ThroughputBucket>(Buckets);
        for (var bucket = newest - Buckets + 1; bucket <= newest; bucket++)
        {
            var slot = (int)(bucket % Buckets);
            var start = new DateTimeOffset(bucket * WidthTicks, TimeSpan.Zero);
            buckets.Add(_held[slot] == bucket
                ? new ThroughputBucket(start, _submitted[slot], _succeeded[slot], _failed[slot])
                : new ThroughputBucket(start, 0, 0, 0));
        }
        return buckets;
    }

    /// <summary>The slot counting <paramref name="at"/>'s bucket, reset if it held an older one; -1 when it holds a newer one.</summary>
    private int Slot(DateTimeOffset at)
    {
        var bucket = at.UtcTicks / WidthTicks;
        var slot = (int)(bucket % Buckets);
        var held = _held[slot];
        if (held == bucket) return slot;
        // The wall clock stepped back past a whole history: that moment is out of the window already.
        if (held > bucket) return -1;
        _held[slot] = bucket;
        _submitted[slot] = 0;
        _succeeded[slot] = 0;
        _failed[slot] = 0;
        return slot;
    }
}
