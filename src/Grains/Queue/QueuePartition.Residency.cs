namespace DistributedTaskQueue.Queue;

/// <summary>
/// Which segments stay in memory. Only the indexes (pending order, delayed times, dead-letter and idempotency
/// sets) cover every task; records of segments that hold nothing but waiting or finished tasks leave memory past
/// the budget (<see cref="SegmentCache"/> does the bookkeeping) and are read again on demand: ahead of dispatch
/// (prefetch) and before a status, wait, cancel or dead-letter call touches them. This file says which segments
/// may go and what the partition must remember of them.
/// </summary>
internal sealed partial class QueuePartition
{
    /// <summary>Whether any segment is held only in Redis (if none, nothing ever needs reading back).</summary>
    public bool HasColdSegments => _segments.Cold.Count > 0;

    /// <summary>Whether the record of this sequence must be read from storage before it can be used.</summary>
    public bool IsCold(long sequence) => _segments.IsCold(sequence);

    /// <summary>The segments a caller must warm before touching these sequences.</summary>
    public HashSet<long> ColdSegmentsOf(IEnumerable<long> sequences) => _segments.ColdSegmentsOf(sequences);

    /// <summary>Cold segments leasing needs now or soon (within <see cref="PrefetchSegments"/> of a priority's front); the caller reads them.</summary>
    public List<long> TakeWanted() => _segments.TakeWanted(_pending.Fronts().Select(TaskSegment.NumberOf), PrefetchSegments);

    /// <summary>Puts a segment read from storage back in memory; false when it is no longer cold (warmed, or deleted by retention).</summary>
    public bool Warm(TaskSegment segment) => _segments.Rewarm(segment);

    /// <summary>
    /// A cold segment that storage no longer has (deleted behind the partition's back, or lost by Redis): its
    /// tasks cannot be run or shown. Drops them from every index so leasing goes on past them; returns how many
    /// waiting tasks and dead letters were lost, for the caller to report.
    /// </summary>
    public int ForgetColdSegment(long number)
    {
        if (_segments.Forget(number) is not { } cold) return 0;
        var first = number * TaskSegment.Capacity;
        var last = first + TaskSegment.Capacity - 1;
        // Entries of tasks cancelled before the segment went cold are in the lines too; the counts are the cold segment's own.
        _counts.RemovePending(cold.PendingByPriority);
        _finished.AddRange(_pending.RemoveRange(first, last));
        var dead = _deadLetters.GetViewBetween(first, last).ToList();
        _deadLetters.ExceptWith(dead);
        _finished.AddRange(dead);
        foreach (var key in cold.IdempotencyKeys ?? []) _idempotencyKeys.Remove(key);
        return cold.PendingByPriority.Sum() + dead.Count;
    }

    /// <summary>
    /// Drops segments from memory while more than <paramref name="maxResidentRecords"/> are held, down to three
    /// quarters of it: wholly finished segments first (oldest first), then wholly waiting ones farthest from the
    /// dispatch front. Segments with running or delayed tasks, unwritten changes or near a front stay. Returns how many.
    /// </summary>
    public int Evict(long maxResidentRecords)
    {
        if (_segments.ResidentRecords <= maxResidentRecords) return 0;
        var keep = _pending.Fronts().Select(TaskSegment.NumberOf).SelectMany(f => Enumerable.Range(0, PrefetchSegments).Select(i => f + i)).ToHashSet();
        // The tail takes the next submits, which must land beside the records it already has.
        keep.Add(TaskSegment.NumberOf(_head.NextSequence));
        return _segments.Evict(maxResidentRecords, keep, Summarize);
    }

    /// <summary>A segment may leave memory when each task in it is waiting (Pending) or finished; null when not.</summary>
    private SegmentCache.ColdSegment? Summarize(TaskSegment segment)
    {
        DateTimeOffset? retainedUntil = DateTimeOffset.MinValue;
        List<string>? keys = null;
        var pending = new int[4];
        foreach (var record in segment.Tasks)
        {
            if (record.State == TaskState.Pending)
            {
                retainedUntil = null;
                pending[(int)record.Priority]++;
            }
            else if (record.State.IsTerminal())
            {
                if (retainedUntil is { } until && RetainedUntil(record) is { } own && own > until) retainedUntil = own;
            }
            else return null;
            if (record.IdempotencyKey is { } key) (keys ??= []).Add(key);
        }
        return new SegmentCache.ColdSegment(retainedUntil, keys?.ToArray(), pending);
    }
}
