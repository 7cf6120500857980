namespace DistributedTaskQueue.Queue;

/// <summary>
/// The in-memory model of one queue partition: task records by segment, the pending order per priority,
/// the delayed index, the leases and the counters. Pure and synchronous (time is injected), so every
/// rule here is unit-tested with a fake clock; <see cref="TaskQueueGrain"/> adds storage, waiting and timers.
/// This file holds the task flow (submit, lease, renew, complete, redeliver); QueuePartition.Control.cs
/// holds what operators do (cancel, dead letters, retention).
/// </summary>
internal sealed partial class QueuePartition
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
    private readonly Dictionary<string, long> _idempotencyKeys = new(StringComparer.Ordinal);
    private readonly SortedSet<long> _deadLetters = [];
    private readonly HashSet<long> _dirtySegments = [];
    private readonly HashSet<long> _deletedSegments = [];
    private HashSet<long> _staged = [];
    // Durability of single records, so readers see only written state: changed since the last write was taken,
    // and carried by the write in flight.
    private HashSet<long> _changed = [];
    private HashSet<long> _inFlight = [];
    private List<long> _finished = [];
    private long _delayedCount;

    /// <summary>A lease. <c>WorkerId</c> is null while a lease restored after a failover waits for its worker to reclaim it.</summary>
    private readonly record struct LeaseEntry(string? WorkerId, int Attempt, long Epoch, DateTimeOffset Deadline)
    {
        public bool Matches(int attempt, long epoch) => Attempt == attempt && Epoch == epoch;
    }

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

    /// <summary>Records dead-lettered at restore because they could not be indexed (see <see cref="RecordQuarantine"/>).</summary>
    public long QuarantinedRecords { get; private set; }
    public bool HasPending => _pendingCounts.Any(c => c > 0);

    /// <summary>Whether some segment changed (or was deleted) since the last <see cref="TakeDirty"/>.</summary>
    public bool HasUnwrittenChanges => _dirtySegments.Count > 0 || _deletedSegments.Count > 0;

    /// <summary>The earliest not-before time in the delayed index (it may belong to a task cancelled since).</summary>
    public DateTimeOffset? NextDue => _delayed.TryPeek(out _, out var due) ? due : null;

    /// <summary>
    /// Rebuilds the indexes from stored segments (ascending, so FIFO survives a restart). Tasks stored as
    /// Running are held back for one lease period rather than redelivered at once: live workers still
    /// running them reclaim them by renewing (invariant 3); the rest return to Pending when the hold ends.
    /// A record that cannot be indexed is quarantined (dead-lettered with the reason), never allowed to stop the load.
    /// </summary>
    public void Restore(IEnumerable<TaskSegment> segments, DateTimeOffset now)
    {
        foreach (var segment in segments.OrderBy(s => s.Number))
        {
            _segments[segment.Number] = segment;
            for (var slot = 0; slot < TaskSegment.Capacity; slot++)
            {
                if (segment.Records[slot] is not { } record) continue;
                var sequence = segment.Number * TaskSegment.Capacity + slot;
                if (RecordQuarantine.Problem(record, segment.Number, _options) is { } problem)
                {
                    record.Sequence = sequence; // the slot is the truth
                    RecordQuarantine.Apply(record, problem, now);
                    QuarantinedRecords++;
                    Touch(sequence);
                }
                _head.NextSequence = Math.Max(_head.NextSequence, sequence + 1);
                if (record.IdempotencyKey is { } key) _idempotencyKeys[key] = sequence;
                switch (record.State)
                {
                    case TaskState.Running:
                        // Held for the worker that had it: it reclaims by renewing, or it is released at once if its silo is dead.
                        _leases[sequence] = new LeaseEntry(record.LeasedTo, record.Attempts, record.LeaseEpoch, now + _options.LeaseDuration);
                        break;
                    case TaskState.DeadLettered:
                        _deadLetters.Add(sequence);
                        break;
                    default:
                        Index(record);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// A stored segment whose bytes cannot be read: it is left untouched in storage for an operator (never
    /// overwritten: no sequence of it is ever used again), and the partition loads without it.
    /// </summary>
    public void SkipUnreadable(long segmentNumber) =>
        _head.NextSequence = Math.Max(_head.NextSequence, (segmentNumber + 1) * TaskSegment.Capacity);

    /// <summary>
    /// Accepts one task, or returns the existing task with the same idempotency key. A new task is
    /// indexed (visible to workers) only by <see cref="CommitStaged"/>, after its write.
    /// </summary>
    public TaskId Submit(TaskSubmission submission, DateTimeOffset now)
    {
        if (submission.IdempotencyKey is { } key && _idempotencyKeys.TryGetValue(key, out var existing)) return IdOf(existing);
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
        Touch(sequence);
        if (submission.IdempotencyKey is { } newKey) _idempotencyKeys[newKey] = sequence;
        _staged.Add(sequence);
        return IdOf(sequence);
    }

    /// <summary>The sequences submitted since the last call; the caller commits them after their write.</summary>
    public HashSet<long> TakeStaged()
    {
        var staged = _staged;
        _staged = [];
        return staged;
    }

    /// <summary>Makes durably written submissions visible to workers.</summary>
    public void CommitStaged(HashSet<long> staged)
    {
        foreach (var sequence in staged.Order())
        {
            if (Find(sequence) is { } record) Index(record);
        }
    }

    /// <summary>Leases up to <paramref name="max"/> tasks: highest priority first, FIFO within a priority.</summary>
    public List<LeasedTask> Lease(string workerId, long requestId, int max, DateTimeOffset now)
    {
        var leased = new List<LeasedTask>(Math.Min(max, 64));
        if (_head.Paused) return leased;
        for (var priority = (int)TaskPriority.Critical; priority >= 0 && leased.Count < max; priority--)
        {
            var queue = _pending[priority];
            while (leased.Count < max && queue.TryPeek(out var sequence))
            {
                if (IsCold(sequence))
                {
                    // Strict priority: nothing of a lower priority overtakes a task whose segment is still being read.
                    _wanted.Add(TaskSegment.NumberOf(sequence));
                    return leased;
                }
                queue.Dequeue();
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
                record.LeasedTo = workerId;
                record.LeaseRequest = requestId;
                record.LeaseEpoch = _head.Epoch;
                _leases[sequence] = new LeaseEntry(workerId, record.Attempts, _head.Epoch, now + _options.LeaseDuration);
                leased.Add(ToLeased(record));
            }
        }
        return leased;
    }

    /// <summary>Extends a lease the worker holds (or reclaims one held back after a failover); false when it holds it no longer.</summary>
    public bool Renew(string workerId, LeaseToken token, DateTimeOffset now)
    {
        if (!_leases.TryGetValue(token.Sequence, out var lease) || !lease.Matches(token.Attempt, token.Epoch)) return false;
        if (lease.WorkerId is not null && lease.WorkerId != workerId) return false;
        _leases[token.Sequence] = lease with { WorkerId = workerId, Deadline = now + _options.LeaseDuration };
        return true;
    }

    /// <summary>
    /// The tasks a lease call with this number gave the worker, when it retries the call because the reply was
    /// lost (a failing silo, a partition moving): it gets them back instead of them waiting out their leases.
    /// Never more than <paramref name="max"/> (its free slots now): the others go back in line at once.
    /// </summary>
    public List<LeasedTask> Reclaim(string workerId, long requestId, int max, DateTimeOffset now)
    {
        var reclaimed = new List<LeasedTask>();
        foreach (var (sequence, lease) in _leases.ToList())
        {
            if (Find(sequence) is not { State: TaskState.Running } record || !lease.Matches(record.Attempts, record.LeaseEpoch)) continue;
            if (record.LeasedTo != workerId || record.LeaseRequest != requestId) continue;
            if (reclaimed.Count >= max)
            {
                _leases.Remove(sequence);
                Redeliver(record, now);
                continue;
            }
            _leases[sequence] = lease with { WorkerId = workerId, Deadline = now + _options.LeaseDuration };
            reclaimed.Add(ToLeased(record));
        }
        return reclaimed;
    }

    /// <summary>
    /// Applies a finished attempt. Returns false (and counts it) when its lease is gone or its attempt is
    /// stale: a zombie's late result never overwrites what a newer attempt wrote.
    /// </summary>
    public bool Complete(TaskCompletion completion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Outcome is not (TaskOutcome.Succeeded or TaskOutcome.Released or TaskOutcome.Failed))
            throw new ArgumentException($"Unknown outcome {completion.Outcome?.GetType().Name ?? "null"}.", nameof(completion));
        var record = Find(completion.Sequence);
        if (record is not { State: TaskState.Running }
            || record.Attempts != completion.Attempt
            || !_leases.TryGetValue(completion.Sequence, out var lease)
            || !lease.Matches(completion.Attempt, completion.Epoch))
        {
            StaleCompletions++;
            return false;
        }
        _leases.Remove(completion.Sequence);
        switch (completion.Outcome)
        {
            case TaskOutcome.Succeeded { Result: var result } when result is null || result.Length > _options.MaxResultBytes:
                // The owner checks results as it checks payloads: an oversized one fails the task for good.
                Fail(record, new TaskOutcome.Failed(new TaskError(
                    $"The result of {result?.Length ?? 0} bytes is missing or over the limit of {_options.MaxResultBytes} bytes (TaskQueue:MaxResultBytes).",
                    "ResultTooLarge", null, record.Attempts, now), Retryable: false), now);
                break;
            case TaskOutcome.Succeeded succeeded:
                record.Result = succeeded.Result;
                Finish(record, TaskState.Succeeded, now);
                break;
            case TaskOutcome.Released:
                Redeliver(record, now);
                break;
            case TaskOutcome.Failed when record.CancelRequested:
                Finish(record, TaskState.Cancelled, now);
                break;
            case TaskOutcome.Failed failed:
                Fail(record, failed, now);
                break;
        }
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

    /// <summary>Redelivers tasks whose lease ran out (or whose hold-back after a failover ended unclaimed); returns how many.</summary>
    public int ExpireLeases(DateTimeOffset now) => ReleaseLeases(l => l.Deadline <= now, now);

    /// <summary>Redelivers at once every task leased by a worker that is gone (its silo was declared dead).</summary>
    public int ReleaseWorker(Func<string, bool> isGone, DateTimeOffset now) =>
        ReleaseLeases(l => l.WorkerId is { } worker && isGone(worker), now);

    public TaskInfo? GetInfo(long sequence) => _staged.Contains(sequence) ? null : Find(sequence)?.ToInfo(IdOf(sequence));

    /// <summary>Whether what the model holds for this task is in storage: no change to it waits for (or rides in) a write.</summary>
    public bool IsDurable(long sequence) => !_changed.Contains(sequence) && !_inFlight.Contains(sequence) && !_staged.Contains(sequence);

    /// <summary>Tasks that became terminal (or were dropped) since the last call: their waiters are woken once the write that carries this is durable.</summary>
    public List<long> TakeFinished()
    {
        var finished = _finished;
        _finished = [];
        return finished;
    }

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
        DeadLettered = _deadLetters.Count,
        Cancelled = _head.Cancelled,
        Paused = _head.Paused,
        StaleCompletions = StaleCompletions,
        ResidentTasks = ResidentRecords,
    };

    /// <summary>The segments changed (null: deleted) since the last call; the caller snapshots and writes them.</summary>
    public List<(long Number, TaskSegment? Segment)> TakeDirty()
    {
        var dirty = new List<(long, TaskSegment?)>(_dirtySegments.Count + _deletedSegments.Count);
        foreach (var number in _dirtySegments)
        {
            if (_segments.TryGetValue(number, out var segment)) dirty.Add((number, segment));
            _unsettled.Add(number);
        }
        foreach (var number in _deletedSegments) dirty.Add((number, null));
        _dirtySegments.Clear();
        _deletedSegments.Clear();
        (_inFlight, _changed) = (_changed, _inFlight);
        _changed.Clear();
        return dirty;
    }

    private int ReleaseLeases(Func<LeaseEntry, bool> released, DateTimeOffset now)
    {
        var sequences = _leases.Where(l => released(l.Value)).Select(l => l.Key).ToList();
        foreach (var sequence in sequences)
        {
            _leases.Remove(sequence);
            if (Find(sequence) is { State: TaskState.Running } record) Redeliver(record, now);
        }
        return sequences.Count;
    }

    /// <summary>A running task whose attempt ended without an outcome joins its priority's line again (or ends, if a cancel was asked for).</summary>
    private void Redeliver(TaskRecord record, DateTimeOffset now)
    {
        if (record.CancelRequested)
        {
            Finish(record, TaskState.Cancelled, now);
            return;
        }
        Move(record, TaskState.Pending);
        _pending[(int)record.Priority].Enqueue(record.Sequence);
    }

    /// <summary>The retry policy decides: a delayed retry while failures are within MaxRetries and the failure is retryable, else a dead letter.</summary>
    private void Fail(TaskRecord record, TaskOutcome.Failed failed, DateTimeOffset now)
    {
        _head.Failed++;
        record.Failures++;
        record.AddError(TaskRules.Bounded(failed.Error));
        var policy = record.Retry ?? _options.DefaultRetry;
        if (failed.Retryable && record.Failures <= policy.MaxRetries)
        {
            record.NotBefore = now + policy.DelayFor(record.Failures, _random());
            Move(record, TaskState.Retrying);
            _delayed.Enqueue(record.Sequence, record.NotBefore.Value);
        }
        else
        {
            Finish(record, TaskState.DeadLettered, now);
        }
    }

    private TaskId IdOf(long sequence) => new(_queue, _partition, sequence);

    private LeasedTask ToLeased(TaskRecord record) =>
        new(IdOf(record.Sequence), record.TaskName, record.Payload, record.Attempts, record.Timeout, record.EnqueuedAt) { Epoch = record.LeaseEpoch };

    private TaskRecord? Find(long sequence) => SegmentFor(sequence, create: false)?[sequence];

    private TaskSegment? SegmentFor(long sequence, bool create)
    {
        var number = TaskSegment.NumberOf(sequence);
        if (_segments.TryGetValue(number, out var segment)) return segment;
        if (!create) return null;
        // A new record in a segment held only in Redis would make a fresh segment that overwrites the stored one.
        if (_cold.ContainsKey(number)) throw new InvalidOperationException($"Segment {number} is cold; the tail segment is never evicted.");
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
        _finished.Add(record.Sequence);
        switch (terminal)
        {
            case TaskState.Succeeded: _head.Succeeded++; break;
            case TaskState.DeadLettered: _deadLetters.Add(record.Sequence); break;
            case TaskState.Cancelled: _head.Cancelled++; break;
        }
    }

    /// <summary>Every state change: keeps the per-state counts right and marks the record's segment for the next write.</summary>
    private void Move(TaskRecord record, TaskState to)
    {
        Count(record, -1);
        TaskLifecycle.Move(record, to);
        Count(record, +1);
        Touch(record.Sequence);
    }

    /// <summary>Marks a record changed: its segment goes with the next write, and readers wait for that write.</summary>
    private void Touch(long sequence)
    {
        _dirtySegments.Add(TaskSegment.NumberOf(sequence));
        _changed.Add(sequence);
    }

    private void Count(TaskRecord record, int delta)
    {
        switch (record.State)
        {
            case TaskState.Pending: _pendingCounts[(int)record.Priority] += delta; break;
            case TaskState.Scheduled or TaskState.Retrying: _delayedCount += delta; break;
        }
    }
}
