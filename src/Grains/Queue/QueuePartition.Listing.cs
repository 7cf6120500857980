namespace DistributedTaskQueue.Queue;

/// <summary>
/// What an operator sees of a queue's live tasks and how it empties one: listings of pending, running and delayed tasks
/// (read-only: they name the cold segments they need read, the grain reads them and asks again), and purge, which
/// cancels waiting tasks a bounded chunk at a time so a queue of millions never has to be in memory at once.
/// </summary>
internal sealed partial class QueuePartition
{
    /// <summary>The next sequence a submit gets: a purge stops below the one it started at, so new submits cannot keep it going.</summary>
    public long NextSequence => _head.NextSequence;

    /// <summary>
    /// Up to <paramref name="limit"/> tasks in <paramref name="state"/> (Scheduled and Retrying alike: delayed), in the
    /// order the state is served. Entries whose segment is cold and may hold such a task are not skipped: their
    /// segments go into <paramref name="cold"/> and the list stops there, for the caller to read them and ask again.
    /// </summary>
    public List<TaskInfo> ListTasks(TaskState state, int limit, HashSet<long> cold) => state switch
    {
        TaskState.Pending => ListPending(limit, cold),
        TaskState.Running => ListRunning(limit),
        _ => ListDelayed(limit, cold),
    };

    /// <summary>
    /// Cancels up to <paramref name="max"/> waiting tasks (of <paramref name="taskName"/> when given) held in memory,
    /// below sequence <paramref name="below"/>, as a cancel does; returns how many. Fewer than the maximum means none is left in memory.
    /// </summary>
    public int PurgeWarm(string? taskName, long below, int max, DateTimeOffset now)
    {
        var purged = 0;
        foreach (var segment in _segments.Warm.Where(s => s.Number * TaskSegment.Capacity < below).ToList())
        {
            foreach (var record in segment.Tasks)
            {
                if (purged >= max) return purged;
                if (record.Sequence >= below || IsUnwritten(record.Sequence)) continue;
                if (record.State is not (TaskState.Pending or TaskState.Scheduled or TaskState.Retrying)) continue;
                if (taskName is not null && record.TaskName != taskName) continue;
                Move(record, TaskState.Cancelled, now);
                purged++;
            }
        }
        return purged;
    }

    /// <summary>Cold segments below <paramref name="below"/> that hold waiting tasks: a purge reads them back to cancel those.</summary>
    public IEnumerable<long> ColdWaitingSegments(long below) =>
        _segments.Cold.Where(c => c.Key * TaskSegment.Capacity < below && (c.Value.Delayed > 0 || c.Value.PendingByPriority.Any(n => n > 0)))
            .Select(c => c.Key);

    /// <summary>
    /// Drops the line and delayed entries of tasks that left those states (the indexes drop them lazily, when reached):
    /// after a purge of many, leasing and promotion would otherwise read back every cold segment of cancelled tasks just
    /// to skip them. Returns how many.
    /// </summary>
    public int CompactIndexes() =>
        _pending.RemoveWhere((priority, sequence) => !MayBePending(priority, sequence))
        + _delayed.RemoveWhere((sequence, due) => !MayBeDelayed(sequence, due));

    private List<TaskInfo> ListPending(int limit, HashSet<long> cold)
    {
        var listed = new List<TaskInfo>();
        var seen = new HashSet<long>();
        // Entries in cold segments count towards the limit: only the segments the page can reach are read.
        var unread = 0;
        for (var priority = TaskPriority.Critical; priority >= TaskPriority.Low; priority--)
        {
            foreach (var sequence in _pending.Line(priority))
            {
                if (listed.Count + unread >= limit) return listed;
                if (!seen.Add(sequence) || !MayBePending(priority, sequence)) continue;
                if (_segments.IsCold(sequence))
                {
                    cold.Add(TaskSegment.NumberOf(sequence));
                    unread++;
                }
                else
                {
                    listed.Add(_segments.Find(sequence)!.ToInfo(IdOf(sequence)));
                }
            }
        }
        return listed;
    }

    private List<TaskInfo> ListRunning(int limit) =>
        _leases.All.Select(l => _segments.Find(l.Key)).OfType<TaskRecord>()
            .Where(r => r.State == TaskState.Running)
            .OrderBy(r => r.StartedAt).ThenBy(r => r.Sequence)
            .Take(limit)
            .Select(r => r.ToInfo(IdOf(r.Sequence)))
            .ToList();

    private List<TaskInfo> ListDelayed(int limit, HashSet<long> cold)
    {
        // The index drops entries lazily, so the earliest entries may be stale: look further until enough are live.
        for (long count = limit; ; count *= 4)
        {
            var entries = _delayed.Earliest((int)Math.Min(count, int.MaxValue));
            var listed = new List<TaskInfo>();
            var seen = new HashSet<long>();
            var unread = 0;
            foreach (var (sequence, due) in entries)
            {
                if (!seen.Add(sequence)) continue;
                if (_segments.IsCold(sequence))
                {
                    if (_segments.Cold[TaskSegment.NumberOf(sequence)].Delayed > 0)
                    {
                        cold.Add(TaskSegment.NumberOf(sequence));
                        unread++;
                    }
                }
                else if (MayBeDelayed(sequence, due))
                {
                    listed.Add(_segments.Find(sequence)!.ToInfo(IdOf(sequence)));
                }
                if (listed.Count + unread >= limit) return listed;
            }
            if (entries.Count < count) return listed;
        }
    }

    /// <summary>Whether a delayed entry may still be a delayed task: its record waits for this due time, or its cold segment holds delayed tasks.</summary>
    private bool MayBeDelayed(long sequence, DateTimeOffset due)
    {
        if (_segments.IsCold(sequence)) return _segments.Cold[TaskSegment.NumberOf(sequence)].Delayed > 0;
        return _segments.Find(sequence) is { State: TaskState.Scheduled or TaskState.Retrying } record && (record.NotBefore ?? DateTimeOffset.MinValue) == due;
    }

    /// <summary>Whether a line entry may still be a pending task: its record is Pending, or its cold segment holds pending tasks of that priority.</summary>
    private bool MayBePending(TaskPriority priority, long sequence)
    {
        if (_segments.IsCold(sequence)) return _segments.Cold[TaskSegment.NumberOf(sequence)].PendingByPriority[(int)priority] > 0;
        return _segments.Find(sequence) is { State: TaskState.Pending };
    }
}
