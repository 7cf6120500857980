namespace DistributedTaskQueue.Queue;

/// <summary>
/// Which segments stay in memory. Only the indexes (pending order, delayed times, dead-letter and idempotency
/// sets) cover every task; records of segments that hold nothing but waiting (pending or delayed) or finished tasks
/// leave memory past the budget (<see cref="SegmentCache"/> does the bookkeeping) and are read again on demand:
/// ahead of dispatch and of due times (prefetch), and before a status, wait, cancel or dead-letter call touches
/// them. This file says which segments may go and what the partition must remember of them.
/// </summary>
internal sealed partial class QueuePartition
{
    // Segment number -> callers that read it back and have not used it yet (Pin/Unpin).
    private readonly Dictionary<long, int> _pinned = [];

    /// <summary>Forgets submit tokens older than the dedupe window (the housekeeping tick's, so an idle partition lets a burst go too).</summary>
    public void ForgetOldSubmits(DateTimeOffset now) => _recentSubmits.Forget(now - _options.SubmitDedupeWindow);

    /// <summary>
    /// When the longest-waiting pending task became runnable (submitted, or due), among the line fronts whose records are
    /// in memory (fronts are read ahead, so nearly always); null when nothing is pending.
    /// </summary>
    public DateTimeOffset? OldestPendingSince()
    {
        DateTimeOffset? oldest = null;
        foreach (var sequence in _pending.Fronts())
        {
            // A front may be a task cancelled since (lines drop such entries lazily): not pending, not counted.
            if (_segments.Find(sequence) is not { State: TaskState.Pending } record) continue;
            var since = record.NotBefore is { } due && due > record.EnqueuedAt ? due : record.EnqueuedAt;
            if (oldest is null || since < oldest) oldest = since;
        }
        return oldest;
    }

    /// <summary>Submit tokens remembered now.</summary>
    public int RememberedSubmits => _recentSubmits.Count;

    /// <summary>Whether any segment is held only in Redis (if none, nothing ever needs reading back).</summary>
    public bool HasColdSegments => _segments.Cold.Count > 0;

    /// <summary>Whether the record of this sequence must be read from storage before it can be used.</summary>
    public bool IsCold(long sequence) => _segments.IsCold(sequence);

    /// <summary>The segments a caller must warm before touching these sequences.</summary>
    public HashSet<long> ColdSegmentsOf(IEnumerable<long> sequences) => _segments.ColdSegmentsOf(sequences);

    /// <summary>
    /// Cold segments needed now or soon; the caller reads them. Leasing's: within <see cref="PrefetchSegments"/> of a
    /// priority's front. Promotion's: those of delayed tasks due within <see cref="DelayedPrefetch"/> (at most
    /// <see cref="PrefetchSegments"/> segments ahead), and those that due tasks wait for.
    /// </summary>
    public List<long> TakeWanted(DateTimeOffset now)
    {
        // Guarded, so the lease path (which calls this every time) allocates nothing when nothing is coming due.
        if (_delayed.HasUndrawnDueBy(now + DelayedPrefetch))
        {
            foreach (var sequence in _delayed.DrawSoon(now + DelayedPrefetch, PrefetchSegments))
            {
                if (_segments.IsCold(sequence)) _segments.Want(TaskSegment.NumberOf(sequence));
            }
        }
        // Asked again each time: a read that failed is retried (the reader shares one read between askers).
        if (_delayed.AwaitsReads)
        {
            foreach (var number in _delayed.AwaitedSegments) _segments.Want(number);
        }
        return _segments.TakeWanted(_pending.Fronts().Select(TaskSegment.NumberOf), PrefetchSegments);
    }

    /// <summary>
    /// Keeps these segments in memory (once read back) until <see cref="Unpin"/>: a caller that reads segments back
    /// for its own use must find them there when it resumes, though writes that landed meanwhile evicted past the
    /// budget (they would evict exactly these first: wholly waiting, far from the fronts). Counted, for callers that
    /// overlap. A caller pins every segment it needs at once (warm ones too: they would be evicted first while
    /// the others are read), so what it pins is bounded by what it must hold in memory anyway.
    /// </summary>
    public void Pin(IEnumerable<long> segmentNumbers)
    {
        foreach (var number in segmentNumbers) _pinned[number] = _pinned.GetValueOrDefault(number) + 1;
    }

    /// <summary>Releases what <see cref="Pin"/> kept; the next eviction may drop the segments again.</summary>
    public void Unpin(IEnumerable<long> segmentNumbers)
    {
        foreach (var number in segmentNumbers)
        {
            if (!_pinned.TryGetValue(number, out var count)) continue;
            if (count <= 1) _pinned.Remove(number);
            else _pinned[number] = count - 1;
        }
    }

    /// <summary>
    /// Puts a segment read from storage back in memory; false when it is no longer cold (warmed, or deleted by
    /// retention). Delayed tasks of it that came due meanwhile are due again (the caller promotes them).
    /// </summary>
    public bool Warm(TaskSegment segment)
    {
        if (!_segments.Rewarm(segment)) return false;
        _delayed.ReadDone(segment.Number);
        return true;
    }

    /// <summary>Whether a due delayed task waits for its segment to be read (the read's arrival promotes it, not a timer).</summary>
    public bool PromotionAwaitsReads => _delayed.AwaitsReads;

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
        _counts.RemoveCold(cold);
        _finished.AddRange(_pending.RemoveRange(first, last));
        _finished.AddRange(_delayed.RemoveRange(first, last));
        var dead = _deadLetters.GetViewBetween(first, last).ToList();
        _deadLetters.ExceptWith(dead);
        _finished.AddRange(dead);
        foreach (var key in cold.IdempotencyKeys ?? []) _idempotencyKeys.Remove(key);
        return cold.PendingByPriority.Sum() + cold.Delayed + dead.Count;
    }

    /// <summary>
    /// Drops segments from memory while more than <paramref name="maxResidentRecords"/> are held, down to three
    /// quarters of it: wholly finished segments first (oldest first), then wholly waiting ones farthest from the
    /// dispatch front. Segments with running tasks, unwritten changes, near a front or with delayed tasks due soon
    /// (read ahead for promotion) stay. Returns how many.
    /// </summary>
    public int Evict(long maxResidentRecords)
    {
        if (_segments.ResidentRecords <= maxResidentRecords) return 0;
        var keep = _pending.Fronts().Select(TaskSegment.NumberOf).SelectMany(f => Enumerable.Range(0, PrefetchSegments).Select(i => f + i)).ToHashSet();
        keep.UnionWith(_delayed.SoonSegments);
        // The tail takes the next submits, which must land beside the records it already has.
        keep.Add(TaskSegment.NumberOf(_head.NextSequence));
        keep.UnionWith(_pinned.Keys);
        return _segments.Evict(maxResidentRecords, keep, Summarize);
    }

    /// <summary>
    /// A segment may leave memory when each task in it is waiting (Pending, Scheduled, Retrying) or finished; null
    /// when not (a running task's record changes at its completion). Its waiting tasks stay indexed: pending ones
    /// in their lines, delayed ones in the delayed index; the summary keeps their counts.
    /// </summary>
    private SegmentCache.ColdSegment? Summarize(TaskSegment segment)
    {
        DateTimeOffset? retainedUntil = DateTimeOffset.MinValue;
        List<string>? keys = null;
        var pending = new int[4];
        var delayed = 0;
        foreach (var record in segment.Tasks)
        {
            if (record.State == TaskState.Pending)
            {
                retainedUntil = null;
                pending[(int)record.Priority]++;
            }
            else if (record.State is TaskState.Scheduled or TaskState.Retrying)
            {
                retainedUntil = null;
                delayed++;
            }
            else if (record.State.IsFinished())
            {
                if (retainedUntil is { } until && RetainedUntil(record) is { } own && own > until) retainedUntil = own;
            }
            else return null;
            if (record.IdempotencyKey is { } key) (keys ??= []).Add(key);
        }
        return new SegmentCache.ColdSegment(retainedUntil, keys?.ToArray(), pending, delayed);
    }
}
