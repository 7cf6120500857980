namespace DistributedTaskQueue.Queue;

/// <summary>What operators and apps do to tasks besides running them: cancel, dead letters, retention.</summary>
internal sealed partial class QueuePartition
{
    public enum CancelResult
    {
        /// <summary>No such task.</summary>
        Unknown,

        /// <summary>Already terminal: nothing changed.</summary>
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
        if (_staged.Contains(sequence) || Find(sequence) is not { } record) return CancelResult.Unknown;
        switch (record.State)
        {
            case TaskState.Pending or TaskState.Scheduled or TaskState.Retrying:
                // Its queue entry stays behind and is skipped when reached (lazy removal keeps this O(1)).
                Finish(record, TaskState.Cancelled, now);
                return CancelResult.Cancelled;
            case TaskState.Running:
                record.CancelRequested = true;
                Touch(sequence);
                worker = _leases.TryGetValue(sequence, out var lease) ? lease.WorkerId : null;
                attempt = new LeaseToken(sequence, record.Attempts, record.LeaseEpoch);
                return CancelResult.Requested;
            default:
                return CancelResult.AlreadyFinished;
        }
    }

    /// <summary>The sequences of dead letters in order, after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public List<long> DeadLetterPage(long after, int limit) => _deadLetters.GetViewBetween(after + 1, long.MaxValue).Take(limit).ToList();

    /// <summary>Every dead letter's sequence (to warm their segments before retrying or purging them all).</summary>
    public IReadOnlyCollection<long> DeadLetterSequences => _deadLetters;

    /// <summary>Dead letters in sequence order, after <paramref name="after"/>, at most <paramref name="limit"/> (their segments must be warm).</summary>
    public List<TaskInfo> ListDeadLetters(long after, int limit) =>
        DeadLetterPage(after, limit).Select(s => Find(s)?.ToInfo(IdOf(s))).OfType<TaskInfo>().ToList();

    /// <summary>Puts dead letters (all, or those of one task name) back in line with a fresh retry budget; returns how many.</summary>
    public int RetryDeadLetters(IReadOnlyCollection<long>? sequences, string? taskName)
    {
        var chosen = DeadLettersMatching(sequences, taskName);
        foreach (var record in chosen)
        {
            _deadLetters.Remove(record.Sequence);
            Move(record, TaskState.Pending);
            record.Failures = 0;
            record.FinishedAt = null;
            record.NotBefore = null;
            _pending[(int)record.Priority].Enqueue(record.Sequence);
        }
        return chosen.Count;
    }

    /// <summary>Deletes dead letters (all, or those of one task name) for good; returns how many.</summary>
    public int PurgeDeadLetters(IReadOnlyCollection<long>? sequences, string? taskName)
    {
        var chosen = DeadLettersMatching(sequences, taskName);
        foreach (var record in chosen)
        {
            _deadLetters.Remove(record.Sequence);
            Forget(record);
        }
        return chosen.Count;
    }

    /// <summary>Drops segments whose tasks are all finished and past retention; the caller deletes them from storage.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        // The segment new tasks go to may go too (invariant 6: no key outlives its data); its unused sequence
        // numbers are skipped, so a deleted segment number is never written again (see SegmentTombstones).
        var tail = TaskSegment.NumberOf(_head.NextSequence);
        var removable = _segments.Values
            .Where(s => s.Tasks.All(r => IsPastRetention(r, now)))
            .ToList();
        foreach (var segment in removable)
        {
            foreach (var record in segment.Tasks)
            {
                _deadLetters.Remove(record.Sequence);
                if (record.IdempotencyKey is { } key) _idempotencyKeys.Remove(key);
            }
            _segments.Remove(segment.Number);
            _dirtySegments.Remove(segment.Number);
            _deletedSegments.Add(segment.Number);
            if (segment.Number == tail) _head.NextSequence = (tail + 1) * TaskSegment.Capacity;
        }
        var removed = removable.Count + RemoveExpiredCold(tail, now);
        if (removed > 0) _head.FirstSegment = _segments.Keys.Concat(_cold.Keys).Append(TaskSegment.NumberOf(_head.NextSequence)).Min();
        return removed;
    }

    private List<TaskRecord> DeadLettersMatching(IReadOnlyCollection<long>? sequences, string? taskName) =>
        (sequences ?? (IEnumerable<long>)_deadLetters)
            .Where(_deadLetters.Contains)
            .Select(Find)
            .OfType<TaskRecord>()
            .Where(r => taskName is null || r.TaskName == taskName)
            .ToList();

    /// <summary>Removes a record from its segment; an emptied segment is deleted by the next retention pass.</summary>
    private void Forget(TaskRecord record)
    {
        if (record.IdempotencyKey is { } key) _idempotencyKeys.Remove(key);
        SegmentFor(record.Sequence, create: false)![record.Sequence] = null;
        Touch(record.Sequence);
        _finished.Add(record.Sequence);
    }

    private bool IsPastRetention(TaskRecord record, DateTimeOffset now) => RetainedUntil(record) <= now;

    /// <summary>When a finished task's record may go (its result or failure TTL after it finished); null while it is not finished.</summary>
    private DateTimeOffset? RetainedUntil(TaskRecord record)
    {
        if (!record.State.IsTerminal() || record.FinishedAt is not { } finished) return null;
        return finished + (record.State == TaskState.Succeeded ? record.ResultTtl ?? _options.ResultTtl : _options.FailedTtl);
    }
}
