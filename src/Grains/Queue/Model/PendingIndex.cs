namespace DistributedTaskQueue.Queue;

/// <summary>
/// The dispatch order: one FIFO line of sequences per priority. Removal is lazy: a task that leaves Pending some
/// other way (cancelled) keeps its entry until leasing reaches it and skips it, so a cancel costs O(1). Counts live
/// in <see cref="StateCounts"/>, not here, because a line may hold such stale entries.
/// </summary>
internal sealed class PendingIndex
{
    private readonly Queue<long>[] _lines = [new(), new(), new(), new()];

    public void Enqueue(TaskRecord record) => _lines[(int)record.Priority].Enqueue(record.Sequence);

    public bool TryPeek(TaskPriority priority, out long sequence) => _lines[(int)priority].TryPeek(out sequence);

    public void Dequeue(TaskPriority priority) => _lines[(int)priority].Dequeue();

    /// <summary>One priority's line in dispatch order, stale entries included.</summary>
    public IEnumerable<long> Line(TaskPriority priority) => _lines[(int)priority];

    /// <summary>Drops the entries <paramref name="stale"/> names (tasks that left Pending); returns how many.</summary>
    public int RemoveWhere(Func<TaskPriority, long, bool> stale)
    {
        var removed = 0;
        for (var priority = 0; priority < _lines.Length; priority++)
        {
            var kept = new Queue<long>(_lines[priority].Count);
            foreach (var sequence in _lines[priority])
            {
                if (stale((TaskPriority)priority, sequence)) removed++;
                else kept.Enqueue(sequence);
            }
            _lines[priority] = kept;
        }
        return removed;
    }

    /// <summary>The sequence at the head of each non-empty line.</summary>
    public IEnumerable<long> Fronts()
    {
        foreach (var line in _lines)
        {
            if (line.TryPeek(out var sequence)) yield return sequence;
        }
    }

    /// <summary>Drops every entry from <paramref name="first"/> to <paramref name="last"/> (a segment lost from storage); returns them.</summary>
    public List<long> RemoveRange(long first, long last)
    {
        var removed = new List<long>();
        for (var priority = 0; priority < _lines.Length; priority++)
        {
            var kept = new Queue<long>(_lines[priority].Count);
            foreach (var sequence in _lines[priority])
            {
                if (sequence < first || sequence > last) kept.Enqueue(sequence);
                else removed.Add(sequence);
            }
            _lines[priority] = kept;
        }
        return removed;
    }
}
