namespace DistributedTaskQueue.Queue;

/// <summary>
/// Which segments the partition keeps in memory. Only the indexes (pending order, delayed times, dead-letter
/// and idempotency sets) cover every task; records of segments that hold nothing but waiting or finished
/// tasks are dropped from memory once more than the budget is resident, and read again on demand: ahead of
/// dispatch (prefetch) and before a status, wait, cancel or dead-letter call touches them. So silo memory
/// grows with running work and the pending index, not with payloads of the backlog or with history.
/// </summary>
internal sealed partial class QueuePartition
{
    /// <summary>Segments from each priority's dispatch front that are read ahead of leasing and never evicted.</summary>
    public const int PrefetchSegments = 16;

    /// <summary>What stays in memory of a segment dropped from memory: enough for retention to delete it unread.</summary>
    /// <param name="RetainedUntil">When every task in it is past retention; null while any is still waiting.</param>
    /// <param name="IdempotencyKeys">Keys to forget when it is deleted.</param>
    /// <param name="PendingByPriority">How many of its tasks wait, per priority (a cold segment's records do not change while cold).</param>
    private sealed record ColdSegment(DateTimeOffset? RetainedUntil, string[]? IdempotencyKeys, int[] PendingByPriority);

    private readonly Dictionary<long, ColdSegment> _cold = [];
    private readonly HashSet<long> _wanted = [];
    private readonly HashSet<long> _unsettled = [];

    /// <summary>Task records held in memory (in whole segments).</summary>
    public long ResidentRecords => (long)_segments.Count * TaskSegment.Capacity;

    /// <summary>Whether the record of this sequence must be read from storage before it can be used.</summary>
    public bool IsCold(long sequence) => _cold.ContainsKey(TaskSegment.NumberOf(sequence));

    /// <summary>The segments a caller must warm before touching these sequences.</summary>
    public HashSet<long> ColdSegmentsOf(IEnumerable<long> sequences) =>
        sequences.Select(TaskSegment.NumberOf).Where(_cold.ContainsKey).ToHashSet();

    /// <summary>
    /// Cold segments leasing needs now (it stopped at one) or soon (within <see cref="PrefetchSegments"/> of a
    /// priority's front); the caller reads them and hands them to <see cref="Warm"/>.
    /// </summary>
    public List<long> TakeWanted()
    {
        if (_cold.Count > 0)
        {
            foreach (var front in Fronts())
            {
                for (var number = front; number < front + PrefetchSegments; number++)
                {
                    if (_cold.ContainsKey(number)) _wanted.Add(number);
                }
            }
        }
        if (_wanted.Count == 0) return [];
        var wanted = _wanted.ToList();
        _wanted.Clear();
        return wanted;
    }

    /// <summary>Puts a segment read from storage back in memory; false when it is no longer cold (warmed, or deleted by retention).</summary>
    public bool Warm(TaskSegment segment)
    {
        if (!_cold.Remove(segment.Number)) return false;
        _segments[segment.Number] = segment;
        return true;
    }

    /// <summary>The write now in flight is durable: its segments may be evicted, and readers may see its records.</summary>
    public void Settle()
    {
        _unsettled.Clear();
        _inFlight.Clear();
    }

    /// <summary>
    /// A cold segment that storage no longer has (deleted behind the partition's back, or lost by Redis): its
    /// tasks cannot be run or shown. Drops them from every index so leasing goes on past them; returns how many
    /// waiting tasks and dead letters were lost, for the caller to report.
    /// </summary>
    public int ForgetColdSegment(long number)
    {
        if (!_cold.Remove(number, out var cold)) return 0;
        var first = number * TaskSegment.Capacity;
        var last = first + TaskSegment.Capacity - 1;
        var lost = 0;
        for (var priority = 0; priority < _pending.Length; priority++)
        {
            // Entries of tasks cancelled before the segment went cold are in the line too; the counts are the cold segment's own.
            _pendingCounts[priority] -= cold.PendingByPriority[priority];
            lost += cold.PendingByPriority[priority];
            var kept = new Queue<long>(_pending[priority].Count);
            foreach (var sequence in _pending[priority])
            {
                if (sequence < first || sequence > last) kept.Enqueue(sequence);
                else _finished.Add(sequence);
            }
            _pending[priority] = kept;
        }
        var dead = _deadLetters.GetViewBetween(first, last).ToList();
        _deadLetters.ExceptWith(dead);
        _finished.AddRange(dead);
        return lost + dead.Count;
    }

    /// <summary>
    /// Drops segments from memory while more than <paramref name="maxResidentRecords"/> are held, down to three
    /// quarters of it: wholly finished segments first (oldest first), then wholly waiting ones farthest from the
    /// dispatch front. Segments with running or delayed tasks, unwritten changes or near a front stay. Returns how many.
    /// </summary>
    public int Evict(long maxResidentRecords)
    {
        if (ResidentRecords <= maxResidentRecords) return 0;
        var keep = Math.Max(maxResidentRecords * 3 / 4 / TaskSegment.Capacity, 1);
        var near = Fronts().SelectMany(f => Enumerable.Range(0, PrefetchSegments).Select(i => f + i)).ToHashSet();
        // The tail takes the next submits, which must land beside the records it already has.
        near.Add(TaskSegment.NumberOf(_head.NextSequence));
        var finished = new List<(long Number, ColdSegment Cold)>();
        var waiting = new List<(long Number, ColdSegment Cold)>();
        foreach (var (number, segment) in _segments)
        {
            if (_dirtySegments.Contains(number) || _unsettled.Contains(number) || near.Contains(number)) continue;
            if (Classify(segment) is not { } cold) continue;
            (cold.RetainedUntil is null ? waiting : finished).Add((number, cold));
        }
        var evicted = 0;
        foreach (var (number, cold) in finished.OrderBy(c => c.Number).Concat(waiting.OrderByDescending(c => c.Number)))
        {
            if (_segments.Count <= keep) break;
            _segments.Remove(number);
            _cold[number] = cold;
            evicted++;
        }
        return evicted;
    }

    /// <summary>A segment may leave memory when each task in it is waiting (Pending) or finished; null when not.</summary>
    private ColdSegment? Classify(TaskSegment segment)
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
        return new ColdSegment(retainedUntil, keys?.ToArray(), pending);
    }

    /// <summary>The segment of each priority's next pending task.</summary>
    private IEnumerable<long> Fronts()
    {
        foreach (var queue in _pending)
        {
            if (queue.TryPeek(out var sequence)) yield return TaskSegment.NumberOf(sequence);
        }
    }

    /// <summary>Deletes cold segments past retention without reading them; returns how many.</summary>
    private int RemoveExpiredCold(long tail, DateTimeOffset now)
    {
        var expired = _cold.Where(c => c.Key < tail && c.Value.RetainedUntil is { } until && until <= now).Select(c => c.Key).ToList();
        foreach (var number in expired)
        {
            var first = number * TaskSegment.Capacity;
            _deadLetters.ExceptWith(_deadLetters.GetViewBetween(first, first + TaskSegment.Capacity - 1).ToList());
            foreach (var key in _cold[number].IdempotencyKeys ?? []) _idempotencyKeys.Remove(key);
            _cold.Remove(number);
            _deletedSegments.Add(number);
        }
        return expired.Count;
    }
}
