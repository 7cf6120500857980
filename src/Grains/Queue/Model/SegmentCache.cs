namespace DistributedTaskQueue.Queue;

/// <summary>
/// Where a partition's task records are: segments in memory (warm), segments held only in Redis (cold, with the
/// summary retention and a lost segment's bookkeeping need), and what the next write must carry (changed and deleted segments).
/// It also tracks durability per record: what changed since the last write was taken, and what the write in flight
/// carries, so readers can be answered from written state only. It knows nothing of task states: the partition
/// decides what may leave memory.
/// </summary>
internal sealed class SegmentCache
{
    private readonly Dictionary<long, TaskSegment> _warm = [];
    private readonly Dictionary<long, ColdSegment> _cold = [];
    private readonly HashSet<long> _wanted = [];
    private readonly HashSet<long> _dirty = [];
    private readonly HashSet<long> _deleted = [];
    // Segments and records of the write in flight: not evictable, not yet readable as durable.
    private readonly HashSet<long> _unsettled = [];
    private HashSet<long> _changed = [];
    private HashSet<long> _inFlight = [];

    /// <summary>What stays in memory of a segment dropped from memory: enough for retention to delete it unread, and to uncount its tasks if storage loses it.</summary>
    /// <param name="RetainedUntil">When every task in it is past retention; null while any is still waiting.</param>
    /// <param name="IdempotencyKeys">Keys to forget when it is deleted.</param>
    /// <param name="PendingByPriority">How many of its tasks wait, per priority (a cold segment's records do not change while cold).</param>
    /// <param name="Delayed">How many of its tasks are delayed (Scheduled or Retrying); their due times stay in the delayed index.</param>
    public sealed record ColdSegment(DateTimeOffset? RetainedUntil, string[]? IdempotencyKeys, int[] PendingByPriority, int Delayed);

    /// <summary>Task record slots held in memory (whole segments).</summary>
    public long ResidentRecords => (long)_warm.Count * TaskSegment.Capacity;

    public IEnumerable<TaskSegment> Warm => _warm.Values;

    public IReadOnlyDictionary<long, ColdSegment> Cold => _cold;

    /// <summary>Whether some segment changed (or was deleted) since the last <see cref="TakeDirty"/>.</summary>
    public bool HasUnwrittenChanges => _dirty.Count > 0 || _deleted.Count > 0;

    /// <summary>The record, or null for a sequence no record has (negative sequences included: they name no slot).</summary>
    public TaskRecord? Find(long sequence) =>
        sequence >= 0 && _warm.TryGetValue(TaskSegment.NumberOf(sequence), out var segment) ? segment[sequence] : null;

    public bool IsCold(long sequence) => sequence >= 0 && _cold.ContainsKey(TaskSegment.NumberOf(sequence));

    /// <summary>The segments a caller must warm before touching these sequences.</summary>
    public HashSet<long> ColdSegmentsOf(IEnumerable<long> sequences) =>
        sequences.Where(s => s >= 0).Select(TaskSegment.NumberOf).Where(_cold.ContainsKey).ToHashSet();

    /// <summary>Puts a new record in its (warm) segment, making the segment if needed.</summary>
    public void Add(TaskRecord record)
    {
        var number = TaskSegment.NumberOf(record.Sequence);
        // A new record in a segment held only in Redis would make a fresh segment that overwrites the stored one.
        if (_cold.ContainsKey(number)) throw new InvalidOperationException($"Segment {number} is cold; the tail segment is never evicted.");
        if (!_warm.TryGetValue(number, out var segment)) _warm[number] = segment = new TaskSegment { Number = number };
        segment[record.Sequence] = record;
        Touch(record.Sequence);
    }

    /// <summary>Removes a record from its segment; an emptied segment is deleted by the next retention pass.</summary>
    public void Remove(long sequence)
    {
        if (!_warm.TryGetValue(TaskSegment.NumberOf(sequence), out var segment)) return;
        segment[sequence] = null;
        Touch(sequence);
    }

    /// <summary>Marks a record changed: its segment goes with the next write, and readers wait for that write.</summary>
    public void Touch(long sequence)
    {
        _dirty.Add(TaskSegment.NumberOf(sequence));
        _changed.Add(sequence);
    }

    /// <summary>Whether what memory holds for this record is in storage, rides in the write in flight, or waits for the next.</summary>
    public Durability DurabilityOf(long sequence) =>
        _changed.Contains(sequence) ? Durability.NextWrite : _inFlight.Contains(sequence) ? Durability.CurrentWrite : Durability.Written;

    /// <summary>A segment read at activation.</summary>
    public void Load(TaskSegment segment) => _warm[segment.Number] = segment;

    /// <summary>Puts a segment read back from storage in memory; false when it is no longer cold (warmed, or deleted meanwhile).</summary>
    public bool Rewarm(TaskSegment segment)
    {
        if (!_cold.Remove(segment.Number)) return false;
        _warm[segment.Number] = segment;
        return true;
    }

    /// <summary>Drops a segment from memory and from storage (it goes with the next write as a delete).</summary>
    public void Delete(long number)
    {
        _warm.Remove(number);
        _cold.Remove(number);
        _dirty.Remove(number);
        _deleted.Add(number);
    }

    /// <summary>Forgets a cold segment storage no longer has; returns its summary, or null when it was not cold.</summary>
    public ColdSegment? Forget(long number) => _cold.Remove(number, out var cold) ? cold : null;

    /// <summary>The segments changed (null: deleted) since the last call; the caller snapshots and writes them.</summary>
    public List<(long Number, TaskSegment? Segment)> TakeDirty()
    {
        var dirty = new List<(long, TaskSegment?)>(_dirty.Count + _deleted.Count);
        foreach (var number in _dirty)
        {
            if (_warm.TryGetValue(number, out var segment)) dirty.Add((number, segment));
            _unsettled.Add(number);
        }
        foreach (var number in _deleted) dirty.Add((number, null));
        _dirty.Clear();
        _deleted.Clear();
        (_inFlight, _changed) = (_changed, _inFlight);
        _changed.Clear();
        return dirty;
    }

    /// <summary>The write now in flight is durable: its segments may be evicted, and readers may see its records.</summary>
    public void Settle()
    {
        _unsettled.Clear();
        _inFlight.Clear();
    }

    /// <summary>Asks for a cold segment to be read back (leasing reached it).</summary>
    public void Want(long number) => _wanted.Add(number);

    /// <summary>Cold segments wanted now, plus those within <paramref name="window"/> of each front; the caller reads them.</summary>
    public List<long> TakeWanted(IEnumerable<long> fronts, int window)
    {
        if (_cold.Count > 0)
        {
            foreach (var front in fronts)
            {
                for (var number = front; number < front + window; number++)
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

    /// <summary>
    /// Drops segments from memory while more than <paramref name="maxResidentRecords"/> are held, down to three quarters
    /// of it: segments <paramref name="summarize"/> calls wholly finished first (oldest first), then wholly waiting ones
    /// farthest back. Segments it declines (null), unwritten or in flight, or in <paramref name="keep"/> stay. Returns how many.
    /// </summary>
    public int Evict(long maxResidentRecords, HashSet<long> keep, Func<TaskSegment, ColdSegment?> summarize)
    {
        if (ResidentRecords <= maxResidentRecords) return 0;
        var target = Math.Max(maxResidentRecords * 3 / 4 / TaskSegment.Capacity, 1);
        var finished = new List<(long Number, ColdSegment Cold)>();
        var waiting = new List<(long Number, ColdSegment Cold)>();
        foreach (var (number, segment) in _warm)
        {
            if (_dirty.Contains(number) || _unsettled.Contains(number) || keep.Contains(number)) continue;
            if (summarize(segment) is not { } cold) continue;
            (cold.RetainedUntil is null ? waiting : finished).Add((number, cold));
        }
        var evicted = 0;
        foreach (var (number, cold) in finished.OrderBy(c => c.Number).Concat(waiting.OrderByDescending(c => c.Number)))
        {
            if (_warm.Count <= target) break;
            _warm.Remove(number);
            _cold[number] = cold;
            evicted++;
        }
        return evicted;
    }
}
