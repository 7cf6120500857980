namespace DistributedTaskQueue.Queue;

/// <summary>What operators and apps do to tasks besides running them: cancel, dead letters, retention.</summary>
internal sealed partial class QueuePartition
{
    public enum CancelResult
    {
        /// <summary>No such task.</summary>
        Unknown,

        /// <summary>Already finished: nothing changed.</summary>
        AlreadyFinished,

        /// <summary>It was waiting and is now Cancelled.</summary>
        Cancelled,

        /// <summary>It is running: its worker must be told; it ends Cancelled when the attempt ends.</summary>
        Requested,
    }

    /// <summary>Cancels a waiting task at once, or asks for a running one to stop (<paramref name="worker"/> holds its lease).</summary>
    public CancelResult Cancel(long sequence, DateTimeOffset now, out string? worker, out LeaseToken attempt)
    {
        worker = null;
        attempt = default;
        if (IsUnwritten(sequence) || _segments.Find(sequence) is not { } record) return CancelResult.Unknown;
        switch (record.State)
        {
            case TaskState.Pending or TaskState.Scheduled or TaskState.Retrying:
                // Its line or delayed entry stays behind and is skipped when reached (lazy removal keeps this O(1)).
                Move(record, TaskState.Cancelled, now);
                return CancelResult.Cancelled;
            case TaskState.Running:
                record.CancelRequested = true;
                _segments.Touch(sequence);
                worker = _leases.TryGet(sequence, out var lease) ? lease.WorkerId : null;
                attempt = record.Lease;
                return CancelResult.Requested;
            default:
                return CancelResult.AlreadyFinished;
        }
    }

    /// <summary>The sequences of dead letters in order, after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public List<long> DeadLetterPage(long after, int limit) =>
        after == long.MaxValue ? [] : _deadLetters.GetViewBetween(Math.Max(after, -1) + 1, long.MaxValue).Take(limit).ToList();

    /// <summary>Dead letters in sequence order, after <paramref name="after"/>, at most <paramref name="limit"/> (their segments must be warm).</summary>
    public List<TaskInfo> ListDeadLetters(long after, int limit) =>
        DeadLetterPage(after, limit).Select(s => _segments.Find(s)?.ToInfo(IdOf(s))).OfType<TaskInfo>().ToList();

    /// <summary>Puts dead letters (all, or those of one task name) back in line with a fresh retry budget; returns how many.</summary>
    public int RetryDeadLetters(IReadOnlyCollection<long>? sequences, string? taskName, DateTimeOffset now)
    {
        var chosen = DeadLettersMatching(sequences, taskName);
        foreach (var record in chosen)
        {
            record.Failures = 0;
            record.FinishedAt = null;
            record.NotBefore = null;
            record.CancelRequested = false; // a cancel asked of an earlier attempt is not a cancel of the retry
            Move(record, TaskState.Pending, now);
        }
        return chosen.Count;
    }

    /// <summary>Deletes dead letters (all, or those of one task name) for good; returns how many.</summary>
    public int PurgeDeadLetters(IReadOnlyCollection<long>? sequences, string? taskName)
    {
        var chosen = DeadLettersMatching(sequences, taskName);
        foreach (var record in chosen)
        {
            Leave(record);
            if (record.IdempotencyKey is { } key) _idempotencyKeys.Remove(key);
            _segments.Remove(record.Sequence);
            _finished.Add(record.Sequence);
        }
        return chosen.Count;
    }

    /// <summary>Drops segments whose tasks are all finished and past retention; the caller deletes them from storage.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        // The segment new tasks go to may go too (invariant 6: no key outlives its data); its unused sequence
        // numbers are skipped, so a deleted segment number is never written again (see SegmentTombstones).
        var tail = TaskSegment.NumberOf(_head.NextSequence);
        var removable = _segments.Warm.Where(s => s.Tasks.All(r => RetainedUntil(r) <= now)).ToList();
        foreach (var segment in removable)
        {
            foreach (var record in segment.Tasks)
            {
                _deadLetters.Remove(record.Sequence);
                if (record.IdempotencyKey is { } key) _idempotencyKeys.Remove(key);
            }
            _segments.Delete(segment.Number);
            if (segment.Number == tail) _head.NextSequence = (tail + 1) * TaskSegment.Capacity;
        }
        var expiredCold = _segments.Cold.Where(c => c.Value.RetainedUntil is { } until && until <= now).ToList();
        foreach (var (number, cold) in expiredCold)
        {
            var first = number * TaskSegment.Capacity;
            _deadLetters.ExceptWith(_deadLetters.GetViewBetween(first, first + TaskSegment.Capacity - 1).ToList());
            foreach (var key in cold.IdempotencyKeys ?? []) _idempotencyKeys.Remove(key);
            _segments.Delete(number);
        }
        var removed = removable.Count + expiredCold.Count;
        if (removed > 0)
        {
            _head.FirstSegment = _segments.Warm.Select(s => s.Number).Concat(_segments.Cold.Keys)
                .Append(TaskSegment.NumberOf(_head.NextSequence)).Min();
        }
        return removed;
    }

    private List<TaskRecord> DeadLettersMatching(IReadOnlyCollection<long>? sequences, string? taskName) =>
        (sequences ?? (IEnumerable<long>)_deadLetters)
            .Distinct()
            .Where(_deadLetters.Contains)
            .Select(_segments.Find)
            .OfType<TaskRecord>()
            .Where(r => taskName is null || r.TaskName == taskName)
            .ToList();

    /// <summary>When a finished task's record may go (its result or failure TTL after it finished); null while it is not finished.</summary>
    private DateTimeOffset? RetainedUntil(TaskRecord record)
    {
        if (!record.State.IsFinished() || record.FinishedAt is not { } finished) return null;
        var ttl = record.State == TaskState.Succeeded ? record.ResultTtl ?? _options.ResultTtl : _options.FailedTtl;
        // Saturating: a stored time near the end of the calendar must not make retention (or eviction) throw.
        return finished > DateTimeOffset.MaxValue - ttl ? DateTimeOffset.MaxValue : finished + ttl;
    }
}
