namespace DistributedTaskQueue.Queue;

/// <summary>
/// Due times of delayed tasks (a not-before time, or a retry's backoff): all that stays in memory of a delayed task
/// whose segment went cold, 24 bytes an entry. Entries due soon (drawn ahead of time, a few segments' worth) are kept
/// apart so their segments can be read back and kept warm before they are due; entries that came due while their
/// segment was cold wait aside, per segment, until it is read. Removal is lazy: an entry whose task left the delayed
/// state, or whose due time changed, is skipped when it comes due.
/// </summary>
internal sealed class DelayedIndex
{
    // Ordered by (due, sequence): tasks due at one instant come out in submit order, so they are promoted FIFO and
    // drawn a segment at a time. Due times as UTC ticks keep an entry at 24 bytes.
    private readonly PriorityQueue<long, Due> _later = new();
    private readonly PriorityQueue<long, Due> _soon = new();
    // Segments of the entries in _soon, with how many each holds: read ahead and not evicted.
    private readonly Dictionary<long, int> _soonSegments = [];
    private readonly Dictionary<long, List<(long Sequence, long Due)>> _awaitingRead = [];
    // Entries due by this instant go to _soon as they are added (everything in _later is due after it, or the draw was capped).
    private long _horizon = long.MinValue;

    /// <summary>The earliest due time of an entry not waiting for its segment (it may belong to a task cancelled since).</summary>
    public DateTimeOffset? NextDue => Head(out _, out var due) ? At(due) : null;

    /// <summary>Segments of entries due soon: read ahead of their time and kept in memory.</summary>
    public IEnumerable<long> SoonSegments => _soonSegments.Keys;

    /// <summary>Segments whose entries came due while they were cold: to be read now.</summary>
    public IEnumerable<long> AwaitedSegments => _awaitingRead.Keys;

    /// <summary>Whether some due entry waits for its segment to be read (its arrival promotes it).</summary>
    public bool AwaitsReads => _awaitingRead.Count > 0;

    /// <summary>How many segments due entries wait for.</summary>
    public int AwaitedSegmentCount => _awaitingRead.Count;

    public bool Awaits(long segment) => _awaitingRead.ContainsKey(segment);

    public void Add(long sequence, DateTimeOffset due)
    {
        var ticks = due.UtcTicks;
        if (ticks <= _horizon) AddSoon(sequence, ticks);
        else _later.Enqueue(sequence, new Due(ticks, sequence));
    }

    /// <summary>Whether an entry not yet drawn is due by <paramref name="until"/> (a cheap check for the lease path).</summary>
    public bool HasUndrawnDueBy(DateTimeOffset until) => _later.TryPeek(out _, out var entry) && entry.Ticks <= until.UtcTicks;

    /// <summary>
    /// Moves entries due by <paramref name="until"/> into the soon set, as long as it and the entries awaiting reads
    /// span at most <paramref name="maxSegments"/> segments; returns the sequences moved (their segments are to be read ahead).
    /// </summary>
    public List<long> DrawSoon(DateTimeOffset until, int maxSegments)
    {
        var drawn = new List<long>();
        var limit = until.UtcTicks;
        while (_later.TryPeek(out var sequence, out var entry) && entry.Ticks <= limit)
        {
            var due = entry.Ticks;
            if (_soonSegments.Count + _awaitingRead.Count >= maxSegments && !_soonSegments.ContainsKey(TaskSegment.NumberOf(sequence)))
            {
                // Capped: what is drawn stays bounded however many tasks come due at once.
                _horizon = Math.Max(_horizon, due - 1);
                return drawn;
            }
            _later.Dequeue();
            AddSoon(sequence, due);
            drawn.Add(sequence);
        }
        _horizon = Math.Max(_horizon, limit);
        return drawn;
    }

    /// <summary>Takes the next entry due at or before <paramref name="now"/>.</summary>
    public bool TryTakeDue(DateTimeOffset now, out long sequence, out DateTimeOffset due)
    {
        if (!Head(out sequence, out var ticks, out var soon) || ticks > now.UtcTicks)
        {
            due = default;
            return false;
        }
        due = At(ticks);
        if (!soon)
        {
            _later.Dequeue();
            return true;
        }
        _soon.Dequeue();
        var segment = TaskSegment.NumberOf(sequence);
        if (--_soonSegments[segment] == 0) _soonSegments.Remove(segment);
        return true;
    }

    /// <summary>Puts an entry taken by <see cref="TryTakeDue"/> back, not drawn (its segment is not read ahead yet).</summary>
    public void Return(long sequence, DateTimeOffset due) => _later.Enqueue(sequence, new Due(due.UtcTicks, sequence));

    /// <summary>An entry that came due while its segment was cold: it waits for the segment, out of the due order.</summary>
    public void AwaitRead(long sequence, DateTimeOffset due)
    {
        var segment = TaskSegment.NumberOf(sequence);
        if (!_awaitingRead.TryGetValue(segment, out var entries)) _awaitingRead[segment] = entries = [];
        entries.Add((sequence, due.UtcTicks));
    }

    /// <summary>The segment was read (or is gone for good): its waiting entries are due again.</summary>
    public void ReadDone(long segment)
    {
        if (!_awaitingRead.Remove(segment, out var entries)) return;
        foreach (var (sequence, due) in entries) AddSoon(sequence, due);
    }

    /// <summary>Drops the entries <paramref name="stale"/> names (tasks that left the delayed state); entries awaiting a read stay. Returns how many.</summary>
    public int RemoveWhere(Func<long, DateTimeOffset, bool> stale)
    {
        var removed = 0;
        foreach (var queue in new[] { _later, _soon })
        {
            var all = queue.UnorderedItems.ToList();
            var kept = all.Where(e => !stale(e.Element, At(e.Priority.Ticks))).ToList();
            if (kept.Count == all.Count) continue;
            removed += all.Count - kept.Count;
            queue.Clear();
            queue.EnqueueRange(kept);
        }
        _soonSegments.Clear();
        foreach (var (sequence, _) in _soon.UnorderedItems)
        {
            var segment = TaskSegment.NumberOf(sequence);
            _soonSegments[segment] = _soonSegments.GetValueOrDefault(segment) + 1;
        }
        return removed;
    }

    /// <summary>
    /// The <paramref name="count"/> earliest entries by (due, sequence), stale ones included: a bounded heap over every
    /// entry, so listing the next few of a million delayed tasks neither sorts nor copies them all.
    /// </summary>
    public List<(long Sequence, DateTimeOffset Due)> Earliest(int count)
    {
        // A max-heap of the earliest seen so far: its top is the first to drop when an earlier entry turns up.
        var heap = new PriorityQueue<Due, Due>(count + 1, Comparer<Due>.Create((a, b) => b.CompareTo(a)));
        var entries = _later.UnorderedItems.Select(e => e.Priority)
            .Concat(_soon.UnorderedItems.Select(e => e.Priority))
            .Concat(_awaitingRead.Values.SelectMany(list => list.Select(e => new Due(e.Due, e.Sequence))));
        foreach (var entry in entries)
        {
            if (heap.Count < count) heap.Enqueue(entry, entry);
            else if (count > 0 && entry.CompareTo(heap.Peek()) < 0) heap.DequeueEnqueue(entry, entry);
        }
        return heap.UnorderedItems.Select(e => e.Element).Order().Select(e => (e.Sequence, At(e.Ticks))).ToList();
    }

    /// <summary>Every entry from <paramref name="first"/> to <paramref name="last"/> (a segment lost from storage), removed; rare, so a full pass.</summary>
    public List<long> RemoveRange(long first, long last)
    {
        ReadDone(TaskSegment.NumberOf(first));
        var removed = new List<long>();
        foreach (var queue in new[] { _later, _soon })
        {
            var kept = queue.UnorderedItems.Where(e => e.Element < first || e.Element > last).ToList();
            removed.AddRange(queue.UnorderedItems.Where(e => e.Element >= first && e.Element <= last).Select(e => e.Element));
            queue.Clear();
            queue.EnqueueRange(kept);
        }
        _soonSegments.Remove(TaskSegment.NumberOf(first));
        return removed;
    }

    private void AddSoon(long sequence, long due)
    {
        _soon.Enqueue(sequence, new Due(due, sequence));
        var segment = TaskSegment.NumberOf(sequence);
        _soonSegments[segment] = _soonSegments.GetValueOrDefault(segment) + 1;
    }

    private bool Head(out long sequence, out long due) => Head(out sequence, out due, out _);

    // The earlier of the two heads: normally _soon's, but the draw may be capped, and entries are returned or read late.
    private bool Head(out long sequence, out long due, out bool soon)
    {
        var hasSoon = _soon.TryPeek(out var soonSequence, out var soonDue);
        var hasLater = _later.TryPeek(out var laterSequence, out var laterDue);
        soon = hasSoon && (!hasLater || soonDue.CompareTo(laterDue) <= 0);
        (sequence, due) = soon ? (soonSequence, soonDue.Ticks) : (laterSequence, laterDue.Ticks);
        return hasSoon || hasLater;
    }

    /// <summary>An entry's place in the order: its due time, then its sequence.</summary>
    private readonly record struct Due(long Ticks, long Sequence) : IComparable<Due>
    {
        public int CompareTo(Due other) => Ticks != other.Ticks ? Ticks.CompareTo(other.Ticks) : Sequence.CompareTo(other.Sequence);
    }

    private static DateTimeOffset At(long ticks) => new(ticks, TimeSpan.Zero);
}
