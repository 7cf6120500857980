namespace DistributedTaskQueue.Queue;

/// <summary>
/// The in-memory model of one queue partition: one method per transition, each applied through <see cref="Move"/>,
/// whose effects on the indexes sit on one screen at the end of this file next to <see cref="TaskLifecycle"/>'s table.
/// The state is owned by types: <see cref="SegmentCache"/> (records, residency, what the next write carries),
/// <see cref="PendingIndex"/> (dispatch order), <see cref="DelayedIndex"/>, <see cref="LeaseTable"/> and
/// <see cref="StateCounts"/>. Pure and synchronous (time is injected), so every rule is unit-tested on a fake clock;
/// <see cref="TaskQueueGrain"/> adds storage, waiting and timers.
/// </summary>
internal sealed partial class QueuePartition
{
    /// <summary>Segments from each priority's dispatch front that are read ahead of leasing and never evicted.</summary>
    public const int PrefetchSegments = 16;

    /// <summary>How far ahead of their due time delayed tasks' cold segments are read back (and then kept) for promotion.</summary>
    public static readonly TimeSpan DelayedPrefetch = TimeSpan.FromSeconds(5);

    private readonly string _queue;
    private readonly int _number;
    private readonly PartitionOptions _options;
    private readonly RetryPolicy _defaultRetry;
    private readonly Func<double> _random;
    private readonly PartitionHead _head;
    private readonly SegmentCache _segments = new();
    private readonly PendingIndex _pending = new();
    private readonly DelayedIndex _delayed = new();
    private readonly StateCounts _counts = new();
    private readonly ThroughputRing _throughput = new();
    private readonly LeaseTable _leases;
    private readonly Dictionary<string, long> _idempotencyKeys = new(StringComparer.Ordinal);
    private readonly RecentSubmits _recentSubmits;
    private readonly ITaskTransitions? _transitions;
    private readonly SortedSet<long> _deadLetters = [];
    private HashSet<long> _staged = [];

    // Submits a write has taken (TakeStaged) and not yet landed (CommitStaged): not staged any more, not yet indexed or
    // counted. A purge or cancel in that window moved such a task out of a state it was never counted in (pending -1,
    // cancelled +2 after CommitStaged indexed it again): treated as staged until its write lands.
    private HashSet<long> _committing = [];
    private List<long> _finished = [];
    private DateTimeOffset _holdUntil = DateTimeOffset.MinValue;

    public QueuePartition(string queue, int partition, PartitionOptions options, RetryPolicy defaultRetry, Func<double> random, PartitionHead? head = null, ITaskTransitions? transitions = null)
    {
        _transitions = transitions;
        _queue = queue;
        _number = partition;
        _options = options;
        _defaultRetry = defaultRetry;
        _random = random;
        _head = head ?? new PartitionHead();
        _leases = new LeaseTable(options.LeaseDuration);
        _recentSubmits = new RecentSubmits(options.SubmitDedupeWindow, MaxRecentSubmits);
    }

    /// <summary>Most submit tokens one partition remembers (about 95 MB): reached only above ~16,000 submits/s to one partition.</summary>
    public const int MaxRecentSubmits = 1_000_000;

    public PartitionHead Head => _head;
    public bool Paused => _head.Paused;
    public long StaleCompletions { get; private set; }

    /// <summary>Records dead-lettered at restore because they could not be indexed (see <see cref="RecordQuarantine"/>).</summary>
    public long QuarantinedRecords { get; private set; }

    /// <summary>Leases a previous activation handed out but never wrote, adopted when their workers renewed or completed them.</summary>
    public long AdoptedLeases { get; private set; }

    /// <summary>
    /// Holds dispatch back until <paramref name="until"/>: after a host died, live workers renew tasks they were handed
    /// just before (<see cref="Renew"/> adopts them) before anything is leased again (invariant 3).
    /// </summary>
    public void HoldDispatch(DateTimeOffset until) => _holdUntil = until;

    /// <summary>Whether dispatch is held back now (see <see cref="HoldDispatch"/>).</summary>
    public bool IsHeld(DateTimeOffset now) => now < _holdUntil;

    public bool HasPending => _counts.HasPending;

    /// <summary>Whether some segment changed (or was deleted) since the last <see cref="TakeDirty"/>.</summary>
    public bool HasUnwrittenChanges => _segments.HasUnwrittenChanges;

    /// <summary>The earliest not-before time in the delayed index (it may belong to a task cancelled since), not counting tasks that wait for their segment to be read.</summary>
    public DateTimeOffset? NextDue => _delayed.NextDue;

    /// <summary>Task records held in memory (in whole segments).</summary>
    public long ResidentRecords => _segments.ResidentRecords;

    /// <summary>Every dead letter's sequence (to warm their segments before retrying or purging them all).</summary>
    public IReadOnlyCollection<long> DeadLetterSequences => _deadLetters;

    /// <summary>
    /// Rebuilds the indexes from stored segments (ascending, so FIFO survives a restart). Tasks stored as Running are
    /// held back for one lease period rather than redelivered at once: live workers still running them reclaim them
    /// by renewing (invariant 3); the rest return to Pending when the hold ends. A record that cannot be indexed is
    /// quarantined (dead-lettered with the reason), never allowed to stop the load.
    /// </summary>
    public void Restore(IEnumerable<TaskSegment> segments, DateTimeOffset now)
    {
        foreach (var segment in segments.OrderBy(s => s.Number))
        {
            _segments.Load(segment);
            for (var slot = 0; slot < TaskSegment.Capacity; slot++)
            {
                if (segment.Records[slot] is not { } record) continue;
                var sequence = segment.Number * TaskSegment.Capacity + slot;
                if (RecordQuarantine.Problem(record, sequence, _options, now) is { } problem)
                {
                    record.Sequence = sequence; // the slot is the truth
                    RecordQuarantine.Apply(record, problem, now);
                    QuarantinedRecords++;
                    _segments.Touch(sequence);
                }
                _head.NextSequence = Math.Max(_head.NextSequence, sequence + 1);
                if (record.IdempotencyKey is { } key) _idempotencyKeys[key] = sequence;
                if (record.Token is { } token && record.EnqueuedAt >= now - _options.SubmitDedupeWindow) _recentSubmits.Add(token, sequence, record.EnqueuedAt);
                Index(record);
                // Held for the worker that had it: it reclaims by renewing, or it is released at once if its silo is dead.
                if (record.State == TaskState.Running) _leases.Grant(record.Lease, record.LeasedTo, now);
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
        if (submission.Token is { } retried && _recentSubmits.TryGet(retried, now, out var made)) return IdOf(made);
        var sequence = _head.NextSequence++;
        var record = TaskRecord.Accepted(sequence, submission, now);
        _segments.Add(record);
        if (submission.IdempotencyKey is { } newKey) _idempotencyKeys[newKey] = sequence;
        if (submission.Token is { } token) _recentSubmits.Add(token, sequence, now);
        _staged.Add(sequence);
        return IdOf(sequence);
    }

    /// <summary>The sequences submitted since the last call; the caller commits them after their write.</summary>
    public HashSet<long> TakeStaged()
    {
        var staged = _staged;
        _staged = [];
        // One write at a time: whatever an earlier write took has landed or failed with it by now.
        _committing = staged;
        return staged;
    }

    /// <summary>Whether a submit's write has not landed yet: staged, or taken by the write in flight.</summary>
    private bool IsUnwritten(long sequence) => _staged.Contains(sequence) || _committing.Contains(sequence);

    /// <summary>Makes durably written submissions visible to workers.</summary>
    public void CommitStaged(HashSet<long> staged)
    {
        if (ReferenceEquals(staged, _committing)) _committing = [];
        foreach (var sequence in staged.Order())
        {
            if (_segments.Find(sequence) is not { } record) continue;
            Index(record);
            _transitions?.Submitted(_queue, record);
            _throughput.Submitted(record.EnqueuedAt);
        }
    }

    /// <summary>
    /// About the most payload bytes one lease reply carries (it always carries one task). Payloads may each be up to
    /// TaskQueue:MaxPayloadBytes (64 MiB at most), and a worker asks for up to 256 at once: a reply over Orleans' message
    /// body limit (100 MB) failed every time, and the worker's retry under the same number got the same tasks back.
    /// </summary>
    internal const long MaxLeaseBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Leases up to <paramref name="max"/> tasks (and about <see cref="MaxLeaseBytes"/> of payloads): highest priority
    /// first, FIFO within a priority.
    /// </summary>
    public List<LeasedTask> Lease(string workerId, long requestId, int max, DateTimeOffset now)
    {
        var leased = new List<LeasedTask>(Math.Min(max, 64));
        var bytes = 0L;
        if (_head.Paused) return leased;
        // During a failover hold nothing is leased, not even a dead silo's tasks: the previous host may have released
        // such a task and leased it again to a live worker without writing that, so the record alone cannot tell.
        if (IsHeld(now)) return leased;
        for (var priority = TaskPriority.Critical; priority >= TaskPriority.Low && leased.Count < max; priority--)
        {
            while (leased.Count < max && _pending.TryPeek(priority, out var sequence))
            {
                if (_segments.IsCold(sequence))
                {
                    // Strict priority: nothing of a lower priority overtakes a task whose segment is still being read.
                    _segments.Want(TaskSegment.NumberOf(sequence));
                    return leased;
                }
                var record = _segments.Find(sequence);
                // Full: the next task stays first in its line (and nothing of a lower priority overtakes it).
                if (leased.Count > 0 && record is { State: TaskState.Pending } && bytes + record.Payload.Length > MaxLeaseBytes)
                    return leased;
                _pending.Dequeue(priority);
                // Entries of tasks that left Pending some other way (cancelled) are skipped here, lazily.
                if (record is not { State: TaskState.Pending }) continue;
                if (record.ExpiresAt is { } expiresAt && expiresAt <= now)
                {
                    record.AddError(new TaskError("Expired before it started.", "Expired", null, record.Attempts, now));
                    Move(record, TaskState.DeadLettered, now);
                    continue;
                }
                bytes += record.Payload.Length;
                leased.Add(Grant(record, workerId, requestId, now));
            }
        }
        return leased;
    }

    /// <summary>A pending task becomes this worker's running attempt, fenced by a new lease token.</summary>
    private LeasedTask Grant(TaskRecord record, string workerId, long requestId, DateTimeOffset now)
    {
        Move(record, TaskState.Running, now);
        record.Attempts++;
        record.StartedAt = now;
        record.LeasedTo = workerId;
        record.LeaseRequest = requestId;
        record.LeaseEpoch = _head.Epoch;
        _leases.Grant(record.Lease, workerId, now);
        return ToLeased(record);
    }

    /// <summary>Extends a lease the worker holds (or reclaims one held back after a failover); false when it holds it no longer.</summary>
    public bool Renew(string workerId, LeaseToken token, DateTimeOffset now)
    {
        if (!_leases.TryGet(token.Sequence, out var lease) && _segments.Find(token.Sequence) is { } record && IsUnwrittenLease(record, token))
        {
            Adopt(record, token, workerId, now);
            return true;
        }
        if (!_leases.TryGet(token.Sequence, out lease) || lease.Token != token) return false;
        if (lease.WorkerId is not null && lease.WorkerId != workerId) return false;
        _leases.Extend(token.Sequence, workerId, now);
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
        foreach (var (sequence, lease) in _leases.All.ToList())
        {
            if (_segments.Find(sequence) is not { State: TaskState.Running } record || lease.Token != record.Lease) continue;
            if (record.LeasedTo != workerId || record.LeaseRequest != requestId) continue;
            if (reclaimed.Count >= max)
            {
                _leases.Remove(sequence);
                Redeliver(record, now);
                continue;
            }
            _leases.Extend(sequence, workerId, now);
            reclaimed.Add(ToLeased(record));
        }
        return reclaimed;
    }

    /// <summary>
    /// Applies a finished attempt. Returns false (and counts it) when its lease is gone or its attempt is
    /// stale: a zombie's late result never overwrites what a newer attempt wrote.
    /// </summary>
    public bool Complete(TaskCompletion completion, DateTimeOffset now, string? workerId = null)
    {
        ArgumentNullException.ThrowIfNull(completion);
        // Checked before anything changes: a malformed completion is refused, never half applied.
        if (!TaskRules.IsWellFormed(completion.Outcome))
            throw new ArgumentException($"A completion of task {completion.Sequence} has a malformed outcome ({completion.Outcome?.GetType().Name ?? "none"}).", nameof(completion));
        var record = _segments.Find(completion.Sequence);
        // The outcome of an attempt the previous activation handed out but never wrote: nobody else holds the task.
        if (record is not null && IsUnwrittenLease(record, completion.Lease)) Adopt(record, completion.Lease, workerId, now);
        if (record is not { State: TaskState.Running } || record.Lease != completion.Lease || !_leases.IsCurrent(completion.Lease))
        {
            StaleCompletions++;
            _transitions?.StaleCompletion(_queue);
            return false;
        }
        _leases.Remove(completion.Sequence);
        switch (completion.Outcome)
        {
            case TaskOutcome.Succeeded { Result: var result } when TaskRules.ResultProblem(result, _options.MaxResultBytes) is { } problem:
                // The owner checks results as it checks payloads: a result no client could read fails the task for good.
                Fail(record, new TaskOutcome.Failed(new TaskError(problem.Message, problem.Type, null, record.Attempts, now), Retryable: false), now);
                break;
            case TaskOutcome.Succeeded succeeded:
                record.Result = succeeded.Result;
                Move(record, TaskState.Succeeded, now);
                break;
            case TaskOutcome.Released:
                Redeliver(record, now);
                break;
            case TaskOutcome.Failed when record.CancelRequested:
                Move(record, TaskState.Cancelled, now);
                break;
            case TaskOutcome.Failed failed:
                Fail(record, failed, now);
                break;
        }
        return true;
    }

    /// <summary>
    /// Moves delayed tasks whose time has come to Pending; returns how many. A due task whose segment is cold (its
    /// read-ahead did not land in time) waits aside for the segment (wanted here; <see cref="Warm"/> makes it due
    /// again), so it is neither lost nor promoted twice; at most <see cref="PrefetchSegments"/> segments are waited
    /// for at once, the rest stay due in the index.
    /// </summary>
    public int PromoteDue(DateTimeOffset now)
    {
        var promoted = 0;
        while (_delayed.TryTakeDue(now, out var sequence, out var due))
        {
            if (_segments.IsCold(sequence))
            {
                var number = TaskSegment.NumberOf(sequence);
                if (!_delayed.Awaits(number) && _delayed.AwaitedSegmentCount >= PrefetchSegments)
                {
                    _delayed.Return(sequence, due);
                    break;
                }
                _delayed.AwaitRead(sequence, due);
                _segments.Want(number);
                continue;
            }
            if (_segments.Find(sequence) is not { State: TaskState.Scheduled or TaskState.Retrying } record || record.NotBefore != due) continue;
            record.NotBefore = null;
            Move(record, TaskState.Pending, now);
            promoted++;
        }
        return promoted;
    }

    /// <summary>Redelivers tasks whose lease ran out (or whose hold-back after a failover ended unclaimed); returns how many.</summary>
    public int ExpireLeases(DateTimeOffset now) => ReleaseLeases(l => l.Deadline <= now, now);

    /// <summary>Redelivers at once every task leased by a worker that is gone (its silo was declared dead).</summary>
    public int ReleaseWorker(Func<string, bool> isGone, DateTimeOffset now)
    {
        var released = _leases.TakeWhere(l => l.WorkerId is { } worker && isGone(worker));
        foreach (var sequence in released)
        {
            if (_segments.Find(sequence) is not { State: TaskState.Running } record) continue;
            Redeliver(record, now);
        }
        return released.Count;
    }

    public TaskInfo? GetInfo(long sequence, bool withPayload = false) => _staged.Contains(sequence) ? null : _segments.Find(sequence)?.ToInfo(IdOf(sequence), withPayload);

    /// <summary>Whether what the model holds for this task is in storage, or which write will make it so.</summary>
    public Durability DurabilityOf(long sequence) => _staged.Contains(sequence) ? Durability.NextWrite : _segments.DurabilityOf(sequence);

    /// <summary>Whether what the model holds for this task is in storage: no change to it waits for (or rides in) a write.</summary>
    public bool IsDurable(long sequence) => DurabilityOf(sequence) == Durability.Written;

    /// <summary>Tasks that finished (or were dropped) since the last call: their waiters are woken once the write that carries this is durable.</summary>
    public List<long> TakeFinished()
    {
        var finished = _finished;
        _finished = [];
        return finished;
    }

    public bool IsFinishedOrUnknown(long sequence) => _segments.Find(sequence) is not { } record || record.State.IsFinished();

    public void SetPaused(bool paused) => _head.Paused = paused;

    public QueueStats Stats() => new()
    {
        Queue = _queue,
        PendingByPriority = _counts.PendingByPriority,
        Delayed = _counts.Delayed,
        Running = _leases.Count,
        Succeeded = _head.Succeeded,
        Failed = _head.Failed,
        DeadLettered = _deadLetters.Count,
        Cancelled = _head.Cancelled,
        Paused = _head.Paused,
        StaleCompletions = StaleCompletions,
        ResidentTasks = _segments.ResidentRecords,
        OldestPendingSince = OldestPendingSince(),
    };

    /// <summary>The counts with the throughput history up to <paramref name="now"/> (what callers ask; the gauges need no history).</summary>
    public QueueStats Stats(DateTimeOffset now) => Stats() with { Recent = _throughput.Snapshot(now) };

    /// <summary>The segments changed (null: deleted) since the last call; the caller snapshots and writes them.</summary>
    public List<(long Number, TaskSegment? Segment)> TakeDirty() => _segments.TakeDirty();

    /// <summary>The write now in flight is durable: its segments may be evicted, and readers may see its records.</summary>
    public void Settle() => _segments.Settle();

    private int ReleaseLeases(Func<LeaseTable.Lease, bool> released, DateTimeOffset now)
    {
        var sequences = _leases.TakeWhere(released);
        foreach (var sequence in sequences)
        {
            if (_segments.Find(sequence) is { State: TaskState.Running } record) Redeliver(record, now);
        }
        return sequences.Count;
    }

    /// <summary>A running task whose attempt ended without an outcome joins its priority's line again (or ends, if a cancel was asked for).</summary>
    private void Redeliver(TaskRecord record, DateTimeOffset now) =>
        Move(record, record.CancelRequested ? TaskState.Cancelled : TaskState.Pending, now);

    /// <summary>The retry policy decides: a delayed retry while failures are within MaxRetries and the failure is retryable, else a dead letter.</summary>
    private void Fail(TaskRecord record, TaskOutcome.Failed failed, DateTimeOffset now)
    {
        _head.Failed++;
        _throughput.Failed(now);
        record.Failures++;
        record.AddError(TaskRules.Bounded(failed.Error));
        var policy = record.Retry ?? _defaultRetry;
        if (failed.Retryable && record.Failures <= policy.MaxRetries)
        {
            record.NotBefore = now + policy.DelayFor(record.Failures, _random());
            Move(record, TaskState.Retrying, now);
        }
        else
        {
            Move(record, TaskState.DeadLettered, now);
        }
    }

    /// <summary>
    /// Whether a worker's token names an attempt an earlier activation handed out but never wrote: the record waits
    /// (Pending), exactly one attempt behind the token, and the token's epoch is older than this activation's and no
    /// older than the record's last written lease. Within one epoch each attempt number is handed out once.
    /// </summary>
    private bool IsUnwrittenLease(TaskRecord record, LeaseToken token) =>
        record.State == TaskState.Pending && token.Attempt == record.Attempts + 1 && token.Epoch >= 1 && token.Epoch < _head.Epoch && token.Epoch >= record.LeaseEpoch;

    /// <summary>Takes on a lease an earlier activation handed out but never wrote, as if it had been written.</summary>
    private void Adopt(TaskRecord record, LeaseToken token, string? workerId, DateTimeOffset now)
    {
        Move(record, TaskState.Running, now);
        record.Attempts = token.Attempt;
        record.LeaseEpoch = token.Epoch;
        record.LeasedTo = workerId ?? record.LeasedTo;
        record.StartedAt = now;
        _leases.Grant(token, workerId, now);
        AdoptedLeases++;
    }

    private TaskId IdOf(long sequence) => new(_queue, _number, sequence);

    private LeasedTask ToLeased(TaskRecord record) =>
        new(IdOf(record.Sequence), record.TaskName, record.Payload, record.Lease, record.Timeout, record.EnqueuedAt, record.TraceParent);

    // ---- The lifecycle's effects, next to TaskLifecycle's table of legal moves ------------------------------------
    //
    //   state         indexed as (Index: every move and every restore)   on arrival by a move (Arrive)
    //   Pending       its priority's line; counted                        -
    //   Scheduled     the delayed index at NotBefore; counted             -
    //   Retrying      the delayed index at NotBefore; counted             -
    //                 (segments of waiting tasks may go cold: the lines and the delayed index keep only sequences and
    //                 due times; the cold summary counts them; leasing and promotion read the segment back first)
    //   Running       (the caller grants or restores its lease)           -
    //   Succeeded     -                                                   FinishedAt; Succeeded count; waiters woken
    //   DeadLettered  the dead-letter set                                 FinishedAt; waiters woken
    //   Cancelled     -                                                   FinishedAt; Cancelled count; waiters woken
    //
    // Leaving a state undoes its indexing (lines and the delayed index drop stale entries lazily).

    /// <summary>Every state change goes through here: checked against the lifecycle table, indexed, written with the next write.</summary>
    private void Move(TaskRecord record, TaskState to, DateTimeOffset now)
    {
        var from = record.State;
        Leave(record);
        TaskLifecycle.Move(record, to);
        Index(record);
        Arrive(record, now);
        _segments.Touch(record.Sequence);
        _transitions?.Moved(_queue, record, from, now);
    }

    private void Index(TaskRecord record)
    {
        _counts.Add(record);
        switch (record.State)
        {
            case TaskState.Pending: _pending.Enqueue(record); break;
            case TaskState.Scheduled or TaskState.Retrying: _delayed.Add(record.Sequence, record.NotBefore ?? DateTimeOffset.MinValue); break;
            case TaskState.DeadLettered: _deadLetters.Add(record.Sequence); break;
        }
    }

    private void Leave(TaskRecord record)
    {
        _counts.Remove(record);
        if (record.State == TaskState.DeadLettered) _deadLetters.Remove(record.Sequence);
    }

    private void Arrive(TaskRecord record, DateTimeOffset now)
    {
        if (!record.State.IsFinished()) return;
        record.FinishedAt = now;
        _finished.Add(record.Sequence);
        if (record.State == TaskState.Succeeded)
        {
            _head.Succeeded++;
            _throughput.Succeeded(now);
        }
        else if (record.State == TaskState.Cancelled) _head.Cancelled++;
    }
}
