namespace DistributedTaskQueue.Queue;

/// <summary>
/// The in-memory model of one queue partition: task records by segment, the pending order per priority,
/// the delayed index, the leases and the counters. Pure and synchronous (time is injected), so every
/// rule here is unit-tested with a fake clock; <see cref="TaskQueueGrain"/> adds storage, waiting and timers.
/// </summary>
internal sealed class QueuePartition
{
    private readonly string _queue;
    private readonly int _partition;
    private readonly TaskQueueOptions _options;
    private readonly Func<double> _random;
    private readonly PartitionHead _head;
    private readonly Dictionary<long, TaskSegment> _segments = [];
    private readonly Queue<long>[] _pending = [new(), new(), new(), new()];
    private readonly long[] _pendingCounts = new long[4];
    private readonly PriorityQueue<long, DateTimeOffset> _delayed = new();
    private readonly Dictionary<long, LeaseEntry> _leases = [];
    private readonly HashSet<long> _dirtySegments = [];
    private readonly HashSet<long> _deletedSegments = [];
    private List<long> _staged = [];
    private long _delayedCount;

    private readonly record struct LeaseEntry(string WorkerId, int Attempt, DateTimeOffset Deadline);

    public QueuePartition(string queue, int partition, TaskQueueOptions options, Func<double> random, PartitionHead? head = null)
    {
        _queue = queue;
        _partition = partition;
        _options = options;
        _random = random;
        _head = head ?? new PartitionHead();
    }

    public PartitionHead Head => _head;
    public bool Paused => _head.Paused;
    public long StaleCompletions { get; private set; }
    public int LeaseCount => _leases.Count;
    public bool HasPending => _pendingCounts.Any(c => c > 0);

    /// <summary>Rebuilds the indexes from stored segments (in ascending order, so FIFO survives a restart).</summary>
    public void Restore(IEnumerable<TaskSegment> segments)
    {
        foreach (var segment in segments.OrderBy(s => s.Number))
        {
            _segments[segment.Number] = segment;
            foreach (var record in segment.Tasks)
            {
                _head.NextSequence = Math.Max(_head.NextSequence, record.Sequence + 1);
                if (record.State == TaskState.Running)
                {
                    // Leases are not persisted: a task that was running when the owner went away runs again.
                    TaskLifecycle.Move(record, TaskState.Pending);
                    _dirtySegments.Add(segment.Number);
                }
                Index(record);
            }
        }
    }

    /// <summary>Accepts one task. It is indexed (visible to workers) only by <see cref="CommitStaged"/>, after its write.</summary>
    public TaskId Submit(TaskSubmission submission, DateTimeOffset now)
    {
        var sequence = _head.NextSequence++;
        var notBefore = submission.NotBefore is { } nb && nb > now ? nb : (DateTimeOffset?)null;
        var record = new TaskRecord
        {
            Sequence = sequence,
            TaskName = submission.TaskName,
            Payload = submission.Payload,
            Priority = submission.Priority,
            State = notBefore is null ? TaskState.Pending : TaskState.Scheduled,
            Retry = submission.Retry,
            Timeout = submission.Timeout,
            EnqueuedAt = now,
            NotBefore = notBefore,
            ExpiresAt = submission.ExpiresAt,
            ResultTtl = submission.ResultTtl,
            IdempotencyKey = submission.IdempotencyKey,
        };
        SegmentFor(sequence, create: true)![sequence] = record;
        _dirtySegments.Add(TaskSegment.NumberOf(sequence));
        _staged.Add(sequence);
        return IdOf(sequence);
    }

    /// <summary>The sequences submitted since the last call; the caller commits them after their write.</summary>
    public List<long> TakeStaged()
    {
        var staged = _staged;
        _staged = [];
        return staged;
    }

    /// <summary>Makes durably written submissions visible to workers.</summary>
    public void CommitStaged(List<long> staged)
    {
        foreach (var sequence in staged)
        {
            if (Find(sequence) is { } record) Index(record);
        }
    }

    /// <summary>Leases up to <paramref name="max"/> tasks: highest priority first, FIFO within a priority.</summary>
    public List<LeasedTask> Lease(string workerId, int max, DateTimeOffset now)
    {
        var leased = new List<LeasedTask>(Math.Min(max, 64));
        if (_head.Paused) return leased;
        for (var priority = (int)TaskPriority.Critical; priority >= 0 && leased.Count < max; priority--)
        {
            var queue = _pending[priority];
            while (leased.Count < max && queue.TryDequeue(out var sequence))
            {
                // Entries of tasks that left Pending some other way (cancelled) are skipped here, lazily.
                if (Find(sequence) is not { State: TaskState.Pending } record) continue;
                if (record.ExpiresAt is { } expiresAt && expiresAt <= now)
                {
                    record.AddError(new TaskError("Expired before it started.", "Expired", null, record.Attempts, now));
                    Finish(record, TaskState.DeadLettered, now);
                    continue;
                }
                Move(record, TaskState.Running);
                record.Attempts++;
                record.StartedAt = now;
                _leases[sequence] = new LeaseEntry(workerId, record.Attempts, now + _options.LeaseDuration);
                leased.Add(new LeasedTask(IdOf(sequence), record.TaskName, record.Payload, record.Attempts, record.Timeout, record.EnqueuedAt));
            }
        }
        return leased;
    }

    /// <summary>Applies a finished attempt. Returns false (and counts it) when its lease is gone or its attempt is stale.</summary>
    public bool Complete(TaskCompletion completion, DateTimeOffset now)
    {
        var record = Find(completion.Sequence);
        if (record is not { State: TaskState.Running }
            || record.Attempts != completion.Attempt
            || !_leases.TryGetValue(completion.Sequence, out var lease)
            || lease.Attempt != completion.Attempt)
        {
            StaleCompletions++;
            return false;
        }
        _leases.Remove(completion.Sequence);
        switch (completion.Outcome)
        {
            case TaskOutcome.Succeeded succeeded:
                record.Result = succeeded.Result;
                Finish(record, TaskState.Succeeded, now);
                break;
            case TaskOutcome.Failed failed:
                _head.Failed++;
                record.AddError(failed.Error);
                var policy = record.Retry ?? _options.DefaultRetry;
                if (failed.Retryable && record.Attempts <= policy.MaxRetries)
                {
                    record.NotBefore = now + policy.DelayFor(record.Attempts, _random());
                    Move(record, TaskState.Retrying);
                    _delayed.Enqueue(record.Sequence, record.NotBefore.Value);
                }
                else
                {
                    Finish(record, TaskState.DeadLettered, now);
                }
                break;
            default:
                throw new ArgumentException($"Unknown outcome {completion.Outcome.GetType().Name}.", nameof(completion));
        }
        return true;
    }

    /// <summary>Extends a lease the worker still holds for that attempt; false when it holds it no longer.</summary>
    public bool Renew(string workerId, LeaseToken token, DateTimeOffset now)
    {
        if (!_leases.TryGetValue(token.Sequence, out var lease) || lease.Attempt != token.Attempt || lease.WorkerId != workerId) return false;
        _leases[token.Sequence] = lease with { Deadline = now + _options.LeaseDuration };
        return true;
    }

    /// <summary>Moves delayed tasks whose time has come to Pending; returns how many.</summary>
    public int PromoteDue(DateTimeOffset now)
    {
        var promoted = 0;
        while (_delayed.TryPeek(out var sequence, out var due) && due <= now)
        {
            _delayed.Dequeue();
            if (Find(sequence) is not { State: TaskState.Scheduled or TaskState.Retrying } record || record.NotBefore != due) continue;
            Move(record, TaskState.Pending);
            record.NotBefore = null;
            _pending[(int)record.Priority].Enqueue(sequence);
            promoted++;
        }
        return promoted;
    }

    /// <summary>Returns tasks whose lease ran out to Pending, so another worker runs them; returns how many.</summary>
    public int ExpireLeases(DateTimeOffset now)
    {
        var expired = _leases.Where(l => l.Value.Deadline <= now).Select(l => l.Key).ToList();
        foreach (var sequence in expired)
        {
            _leases.Remove(sequence);
            if (Find(sequence) is not { State: TaskState.Running } record) continue;
            Move(record, TaskState.Pending);
            _pending[(int)record.Priority].Enqueue(sequence);
        }
        return expired.Count;
    }

    /// <summary>Drops segments whose tasks are all finished and past retention; the caller deletes them from storage.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        var tail = TaskSegment.NumberOf(Math.Max(_head.NextSequence - 1, 0));
        var removable = _segments.Values
            .Where(s => s.Number < tail && s.Tasks.All(r => IsPastRetention(r, now)))
            .Select(s => s.Number)
            .ToList();
        foreach (var number in removable)
        {
            _segments.Remove(number);
            _dirtySegments.Remove(number);
            _deletedSegments.Add(number);
        }
        if (removable.Count > 0)
            _head.FirstSegment = _segments.Count == 0 ? tail : Math.Min(_segments.Keys.Min(), tail);
        return removable.Count;
    }

    public TaskInfo? GetInfo(long sequence) => Find(sequence)?.ToInfo(IdOf(sequence));

    public bool IsTerminalOrUnknown(long sequence) => Find(sequence) is not { } record || record.State.IsTerminal();

    public void SetPaused(bool paused) => _head.Paused = paused;

    public QueueStats Stats() => new()
    {
        Queue = _queue,
        PendingByPriority = [.. _pendingCounts],
        Delayed = _delayedCount,
        Running = _leases.Count,
        Succeeded = _head.Succeeded,
        Failed = _head.Failed,
        DeadLettered = _head.DeadLettered,
        Cancelled = _head.Cancelled,
        Paused = _head.Paused,
    };

    /// <summary>The segments changed (null: deleted) since the last call; the caller snapshots and writes them.</summary>
    public List<(long Number, TaskSegment? Segment)> TakeDirty()
    {
        var dirty = new List<(long, TaskSegment?)>(_dirtySegments.Count + _deletedSegments.Count);
        foreach (var number in _dirtySegments)
        {
            if (_segments.TryGetValue(number, out var segment)) dirty.Add((number, segment));
        }
        foreach (var number in _deletedSegments) dirty.Add((number, null));
        _dirtySegments.Clear();
        _deletedSegments.Clear();
        return dirty;
    }

    private TaskId IdOf(long sequence) => new(_queue, _partition, sequence);

    private TaskRecord? Find(long sequence) => SegmentFor(sequence, create: false)?[sequence];

    private TaskSegment? SegmentFor(long sequence, bool create)
    {
        var number = TaskSegment.NumberOf(sequence);
        if (_segments.TryGetValue(number, out var segment)) return segment;
        if (!create) return null;
        segment = new TaskSegment { Number = number };
        _segments[number] = segment;
        return segment;
    }

    private void Index(TaskRecord record)
    {
        switch (record.State)
        {
            case TaskState.Pending:
                _pending[(int)record.Priority].Enqueue(record.Sequence);
                _pendingCounts[(int)record.Priority]++;
                break;
            case TaskState.Scheduled or TaskState.Retrying:
                _delayed.Enqueue(record.Sequence, record.NotBefore ?? DateTimeOffset.MinValue);
                _delayedCount++;
                break;
        }
    }

    private void Finish(TaskRecord record, TaskState terminal, DateTimeOffset now)
    {
        Move(record, terminal);
        record.FinishedAt = now;
        switch (terminal)
        {
            case TaskState.Succeeded: _head.Succeeded++; break;
            case TaskState.DeadLettered: _head.DeadLettered++; break;
            case TaskState.Cancelled: _head.Cancelled++; break;
        }
    }

    /// <summary>Every state change: keeps the per-state counts right and marks the record's segment for the next write.</summary>
    private void Move(TaskRecord record, TaskState to)
    {
        Count(record, -1);
        TaskLifecycle.Move(record, to);
        Count(record, +1);
        _dirtySegments.Add(TaskSegment.NumberOf(record.Sequence));
    }

    private void Count(TaskRecord record, int delta)
    {
        switch (record.State)
        {
            case TaskState.Pending: _pendingCounts[(int)record.Priority] += delta; break;
            case TaskState.Scheduled or TaskState.Retrying: _delayedCount += delta; break;
        }
    }

    private bool IsPastRetention(TaskRecord record, DateTimeOffset now)
    {
        if (!record.State.IsTerminal() || record.FinishedAt is not { } finished) return false;
        var ttl = record.State == TaskState.Succeeded ? record.ResultTtl ?? _options.ResultTtl : _options.FailedTtl;
        return finished + ttl <= now;
    }
}
