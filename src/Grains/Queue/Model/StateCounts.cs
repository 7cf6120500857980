namespace DistributedTaskQueue.Queue;

/// <summary>
/// How many tasks wait, per priority, and how many are delayed. Changed in one place only (the partition's
/// Index and Leave, which every transition and every restore goes through), so the counts cannot drift apart.
/// </summary>
internal sealed class StateCounts
{
    private readonly long[] _pending = new long[4];

    public long Delayed { get; private set; }

    public bool HasPending => _pending.Any(c => c > 0);

    public long[] PendingByPriority => [.. _pending];

    public void Add(TaskRecord record) => Change(record, +1);

    public void Remove(TaskRecord record) => Change(record, -1);

    /// <summary>Waiting and delayed tasks that left with a segment storage lost (their records are gone, their counts known).</summary>
    public void RemoveCold(SegmentCache.ColdSegment cold)
    {
        for (var priority = 0; priority < _pending.Length; priority++) _pending[priority] -= cold.PendingByPriority[priority];
        Delayed -= cold.Delayed;
    }

    private void Change(TaskRecord record, int delta)
    {
        switch (record.State)
        {
            case TaskState.Pending: _pending[(int)record.Priority] += delta; break;
            case TaskState.Scheduled or TaskState.Retrying: Delayed += delta; break;
        }
    }
}
