using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Serialization;
using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Owns one queue partition: applies every change to the <see cref="QueuePartition"/> model and acknowledges
/// it only after the group-commit write that carries it. Reentrant on purpose: calls that arrive while a
/// write is in flight share the next write, and long polls (leases, result waits) never block other calls.
/// </summary>
[Reentrant]
[GrainType(GrainTypeName)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync, the end of a grain's life.")]
internal sealed partial class TaskQueueGrain : Grain, ITaskQueueGrain
{
    /// <summary>
    /// The grain type, pinned: it is part of every stored key (<c>{service}/state/taskqueue/{queue}:{n}/seg-N</c>),
    /// so renaming the class must not change it and strand every stored segment.
    /// </summary>
    public const string GrainTypeName = "taskqueue";

    /// <summary>The name of the grain storage provider that holds partitions.</summary>
    public const string StorageName = "dtq";

    /// <summary>Longest long poll (lease or result wait) one call may hold: well within Orleans' 30 s call timeout.</summary>
    private static readonly TimeSpan MaxCallWait = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LeaseMarkDelay = TimeSpan.FromMilliseconds(5);
    // Promotions are at least this far apart, so tasks due a millisecond apart share one promotion and one write
    // (10,000 due over 10 s cost 200 timer turns a second, not 1,000), at a cost of at most this much lateness.
    private static readonly TimeSpan PromotionGap = TimeSpan.FromMilliseconds(5);
    // A timer armed for a due time days away is armed for this instead, and re-armed when it fires.
    private static readonly TimeSpan LongestPromotionWait = TimeSpan.FromMinutes(1);
    private readonly IGrainStorage _storage;
    private readonly Serializer _serializer;
    private readonly TaskQueueOptions _shared;
    private readonly PartitionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TaskQueueGrain> _logger;
    private readonly DeadSiloWatcher _deadSilos;
    private readonly PartitionMetrics _metrics;
    private readonly LeaseWaiters _leaseWaiters;
    private readonly TaskNameGate _names;
    private readonly ResultWaiters _resultWaiters;
    private readonly Dictionary<string, ITaskWorkerObserver> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastLeaseRequest = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _deactivating = new();
    private QueuePartition _partition = null!; // set in OnActivateAsync, before any call is served
    private PartitionStore _store = null!;
    private GroupCommit _commit = null!;
    private ColdSegmentReader _cold = null!;
    private DateTimeOffset _nextCleanup;
    private IGrainTimer? _promotion;
    private DateTimeOffset? _promotionArmedFor;
    private DateTimeOffset _lastPromotion;
    private IGrainTimer? _leaseMarks;
    private bool _leaseMarksDue;
    private string _queue = "";
    private int _partitionNumber;

    public TaskQueueGrain(IServiceProvider services, Serializer serializer, IOptions<TaskQueueOptions> shared, IOptions<PartitionOptions> options, TimeProvider time, IClusterMembershipService membership, PartitionMetrics metrics, ILogger<TaskQueueGrain> logger)
    {
        _metrics = metrics;
        _deadSilos = new DeadSiloWatcher(membership, logger);
        _storage = services.GetRequiredKeyedService<IGrainStorage>(StorageName);
        _serializer = serializer;
        _shared = shared.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _leaseWaiters = new LeaseWaiters(time);
        _resultWaiters = new ResultWaiters(time);
        _names = new TaskNameGate(GrainFactory, time, logger);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        (_queue, _partitionNumber) = ParseKey(key);
        _store = new PartitionStore(_storage, _serializer, this.GetGrainId());
        _commit = new GroupCommit(BeginWrite, OnWriteFailed);
        var head = await _store.ReadHeadAsync() ?? new PartitionHead();
        // A new epoch for the leases this activation grants. It is made durable by the first write, and no lease is
        // granted before that write (see LeaseAsync); reads alone never write (invariant 11).
        head.Epoch++;
        // A host that died may have handed out leases it never wrote: give live workers time to renew them.
        var holdBack = !head.ClosedCleanly && head.NextSequence > 0;
        head.ClosedCleanly = false;
        _partition = new QueuePartition(_queue, _partitionNumber, _options, _shared.DefaultRetry, Random.Shared.NextDouble, head);
        if (holdBack) _partition.HoldDispatch(_time.GetUtcNow() + Min(_options.FailoverHoldBack, _options.LeaseDuration));
        await new PartitionLoader(_store, _metrics, _options, _time, _queue, key, _logger).LoadAsync(_partition);
        _cold = new ColdSegmentReader(_partition, _store, _metrics, _time, _queue, key, OnSegmentWarmed, () =>
        {
            _commit.Request(); // wakes the waiters of the lost tasks
            OnSegmentWarmed(); // promotion goes on past the lost tasks
        }, _logger);
        _cold.Prefetch();
        SchedulePromotion();
        // Records quarantined at restore are written as dead letters now, so the next activation sees them as such.
        if (_partition.HasUnwrittenChanges) _commit.Request();
        _nextCleanup = _time.GetUtcNow() + _options.CleanupInterval;
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { Interleave = true });
        _deadSilos.WatchAsync(ReleaseDeadSilosAsync, _deactivating.Token).Ignore();
        var stats = _partition.Stats();
        LogActivated(key, stats.Pending, stats.Delayed, stats.Running);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _deactivating.CancelAsync();
        _deactivating.Dispose();
        _leaseWaiters.Release(null);
        // Lease marks may still wait for their write; the next activation should find them, and know that nothing
        // was handed out unwritten (so it need not hold dispatch back).
        // (Only where a hold-back is configured: embedded storage keeps nothing across a restart, and its storage grain
        // may be gone already while the silo stops.)
        var recordCleanClose = _options.FailoverHoldBack > TimeSpan.Zero && _commit is { HasCommitted: true };
        if (_partition is not null && _commit is { IsBroken: false } && (recordCleanClose || _partition.HasUnwrittenChanges))
        {
            _partition.Head.ClosedCleanly = true;
            try
            {
                await _commit.CommitAsync();
            }
            catch (TaskQueueUnavailableException)
            {
                // Logged by the write path; the marks only spare live workers a rerun after a failover.
            }
        }
    }

    public async Task<TaskId[]> SubmitAsync(TaskSubmission[] tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        CheckServed();
        // The owner checks every field itself, whatever the client checked: nothing invalid is ever stored.
        var now = _time.GetUtcNow();
        foreach (var task in tasks) TaskRules.Validate(task, _shared, now);
        if (_options.RefuseUnknownTaskNames) await _names.CheckAsync(tasks);
        var ids = Change(() =>
        {
            var ids = new TaskId[tasks.Length];
            for (var i = 0; i < tasks.Length; i++) ids[i] = _partition.Submit(tasks[i], now);
            return ids;
        });
        await _commit.CommitAsync();
        return ids;
    }

    public async Task<LeasedTask[]> LeaseAsync(string workerId, long requestId, int max, TimeSpan wait, ITaskWorkerObserver? observer)
    {
        CheckWorkerId(workerId);
        CheckServed();
        max = Math.Clamp(max, 0, 10_000);
        // This activation's epoch must be durable before it fences any lease (a lease granted under an epoch a
        // later activation reuses could match a zombie's completion). A partition with nothing to lease writes
        // nothing: the worker parks, and the first submit's write makes the epoch durable.
        if (!_commit.HasCommitted && _partition.HasPending) await _commit.CommitAsync();
        if (observer is not null) _workers[workerId] = observer;
        // A retry of a call whose reply was lost gets that call's tasks back (they are recorded durably per call).
        // Only a number not above the last one seen (or the first call a new activation sees) can be a retry,
        // so the scan over running leases stays off the ordinary lease path.
        var maybeRetry = !_lastLeaseRequest.TryGetValue(workerId, out var last) || requestId <= last;
        _lastLeaseRequest[workerId] = requestId;
        if (maybeRetry)
        {
            var reclaimed = Change(() => _partition.Reclaim(workerId, requestId, max, _time.GetUtcNow()));
            if (_partition.HasUnwrittenChanges) _commit.Request(); // extras went back in line
            if (reclaimed.Count > 0) return [.. reclaimed];
        }
        if (max == 0) return [];
        var leased = _leaseWaiters.IsEmpty && _commit.HasCommitted ? Change(() => _partition.Lease(workerId, requestId, max, _time.GetUtcNow())) : [];
        _cold.Prefetch();
        if (leased.Count > 0)
        {
            WriteLeaseMarksSoon();
            return [.. leased];
        }
        if (wait <= TimeSpan.Zero) return [];
        return await _leaseWaiters.ParkAsync(new LeaseWaiters.Waiter(workerId, requestId, max), Min(wait, MaxCallWait));
    }

    public async Task CompleteAsync(string workerId, TaskCompletion[] completions)
    {
        CheckWorkerId(workerId);
        ArgumentNullException.ThrowIfNull(completions);
        // Checked before any is applied, so a bad entry refuses the call without changing anything.
        foreach (var completion in completions)
        {
            if (completion is null || !TaskRules.IsWellFormed(completion.Outcome))
                throw new ArgumentException("Every completion needs a well-formed outcome (a failure carries an error with a message).", nameof(completions));
        }
        var now = _time.GetUtcNow();
        Change(() =>
        {
            foreach (var completion in completions)
            {
                if (!_partition.Complete(completion, now, workerId)) LogStaleCompletion(workerId, completion.Sequence, completion.Attempt);
            }
            return 0;
        });
        // Waking result waiters and handing released tasks to parked workers happen once this write is durable.
        await _commit.CommitAsync();
    }

    public Task<LeaseToken[]> RenewAsync(string workerId, LeaseToken[] leases)
    {
        CheckWorkerId(workerId);
        ArgumentNullException.ThrowIfNull(leases);
        _commit.ThrowIfBroken();
        var now = _time.GetUtcNow();
        var adopted = _partition.AdoptedLeases;
        var lost = leases.Where(l => !_partition.Renew(workerId, l, now)).ToArray();
        // An adopted lease is written soon, as a lease mark is: another failover must find it.
        if (_partition.AdoptedLeases != adopted) WriteLeaseMarksSoon();
        return Task.FromResult(lost);
    }

    public Task StopWaitingAsync(string workerId)
    {
        CheckWorkerId(workerId);
        _leaseWaiters.Release(workerId);
        return Task.CompletedTask;
    }

    public Task<TaskInfo?> GetTaskAsync(long sequence) => ReadDurableAsync(sequence);

    public async Task<TaskInfo?> WaitAsync(long sequence, TimeSpan wait)
    {
        _commit.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        if (_partition.IsTerminalOrUnknown(sequence) || wait <= TimeSpan.Zero) return await ReadDurableAsync(sequence);
        await _resultWaiters.WaitAsync(sequence, Min(wait, MaxCallWait));
        return await ReadDurableAsync(sequence);
    }

    public Task<QueueStats> GetStatsAsync()
    {
        _commit.ThrowIfBroken();
        return Task.FromResult(_partition.Stats());
    }

    public async Task<bool> CancelAsync(long sequence)
    {
        _commit.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        string? worker = null;
        LeaseToken attempt = default;
        var result = Change(() => _partition.Cancel(sequence, _time.GetUtcNow(), out worker, out attempt));
        if (result is QueuePartition.CancelResult.Unknown or QueuePartition.CancelResult.AlreadyFinished) return false;
        await _commit.CommitAsync();
        if (result == QueuePartition.CancelResult.Requested && worker is not null && _workers.TryGetValue(worker, out var observer))
        {
            // One-way: the worker fires the attempt's token; the task ends Cancelled when it reports.
            observer.CancelAsync([attempt]).Ignore();
        }
        return true;
    }

    public async Task<TaskInfo[]> ListDeadLettersAsync(long after, int limit)
    {
        _commit.ThrowIfBroken();
        limit = Math.Clamp(limit, 0, 10_000);
        await _cold.WarmAsync(_partition.DeadLetterPage(after, limit));
        var page = _partition.ListDeadLetters(after, limit);
        // Only what is written is shown (a dead letter whose write is in flight shows once it is durable).
        await WhenWrittenAsync(page.Select(t => t.Id.Sequence));
        return [.. page];
    }

    public async Task<int> RetryDeadLettersAsync(long[]? sequences, string? taskName)
    {
        _commit.ThrowIfBroken();
        await _cold.WarmAsync(sequences ?? [.. _partition.DeadLetterSequences]);
        var count = Change(() => _partition.RetryDeadLetters(sequences, taskName, _time.GetUtcNow()));
        if (count == 0) return 0;
        await _commit.CommitAsync();
        return count;
    }

    public async Task<int> PurgeDeadLettersAsync(long[]? sequences, string? taskName)
    {
        _commit.ThrowIfBroken();
        await _cold.WarmAsync(sequences ?? [.. _partition.DeadLetterSequences]);
        var count = Change(() => _partition.PurgeDeadLetters(sequences, taskName));
        if (count > 0) await _commit.CommitAsync();
        return count;
    }

    public async Task SetPausedAsync(bool paused)
    {
        Change(() =>
        {
            _partition.SetPaused(paused);
            return 0;
        });
        await _commit.CommitAsync();
    }

    /// <summary>
    /// Applies a change to the model. A change that throws part-way (a bug, or data no rule foresaw) leaves memory
    /// that storage may not match: the partition stops serving and reloads, and the caller is told at once.
    /// </summary>
    private T Change<T>(Func<T> change)
    {
        _commit.ThrowIfBroken();
        try
        {
            return change();
        }
        catch (Exception ex) when (ex is not TaskQueueException)
        {
            _commit.Break(ex);
            throw new TaskQueueUnavailableException("The queue partition failed to apply a change and is reloading from storage; retry the call.", ex);
        }
    }

    /// <summary>A snapshot taken now and returned once everything it shows is written: readers never see what a failed write would lose.</summary>
    private async Task<TaskInfo?> ReadDurableAsync(long sequence)
    {
        _commit.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        var info = _partition.GetInfo(sequence);
        await WhenWrittenAsync([sequence]);
        return info;
    }

    /// <summary>
    /// Waits until what the model holds for these tasks is written: for the write in flight when it carries them (the
    /// common case: a reader right behind a completion), for the next write only when they changed since it began.
    /// </summary>
    private Task WhenWrittenAsync(IEnumerable<long> sequences)
    {
        var needed = Durability.Written;
        foreach (var sequence in sequences)
        {
            var durability = _partition.DurabilityOf(sequence);
            if (durability > needed) needed = durability;
        }
        return needed switch
        {
            Durability.NextWrite => _commit.CommitAsync(),
            Durability.CurrentWrite => _commit.CurrentWrite,
            _ => Task.CompletedTask,
        };
    }

    /// <summary>Starts one group-commit write (see <see cref="GroupCommit"/>): takes what changed, and says what follows once it is durable.</summary>
    private GroupCommit.Batch BeginWrite()
    {
        var staged = _partition.TakeStaged();
        var finished = _partition.TakeFinished();
        var dirty = _partition.TakeDirty();
        var started = _time.GetTimestamp();
        var write = _store.WriteAsync(_partition.Head, dirty);
        return new GroupCommit.Batch(write, () =>
        {
            _metrics.Wrote(_queue, _time.GetElapsedTime(started), dirty.Count);
            _partition.CommitStaged(staged);
            _partition.Settle();
            _partition.Evict(_options.MaxResidentTasks);
            foreach (var sequence in finished) _resultWaiters.Wake(sequence);
            DispatchToWaiters();
            SchedulePromotion();
            // Tombstones of deletes this write confirmed go with the next one.
            if (_store.HasUnwrittenBookkeeping) _commit.Request();
        });
    }

    private void OnWriteFailed(Exception exception)
    {
        LogWriteFailed(exception, this.GetPrimaryKeyString());
        // Every parked call ends now (result waiters then see the partition broken): deactivation waits for running
        // calls, so one parked wait would otherwise hold every new call for up to its 25 s.
        _leaseWaiters.Release(null);
        _resultWaiters.WakeAll();
        this.DeactivateOnIdle();
    }

    private void DispatchToWaiters()
    {
        if (_commit.IsBroken || _leaseWaiters.IsEmpty) return;
        if (!_commit.HasCommitted)
        {
            // No lease before this activation's epoch is durable: the write dispatches again when it lands.
            if (_partition.HasPending) _commit.Request();
            return;
        }
        var served = _leaseWaiters.Serve(waiter => _partition.HasPending && !_partition.Paused
            ? Change(() => _partition.Lease(waiter.WorkerId, waiter.RequestId, waiter.Max, _time.GetUtcNow()))
            : []);
        _cold.Prefetch();
        if (served > 0) WriteLeaseMarksSoon();
    }

    /// <summary>
    /// Lease marks (Running, the attempt, the lease call) are never waited for: a lease is fenced by (epoch, attempt),
    /// unique even if its mark never lands. So they do not start a write of their own at once, which would put a
    /// second write between a submit's and its completion's on the path of a quick task; they ride with the next
    /// write anyone waits for, or go a few milliseconds later on their own, so a failover still finds them.
    /// </summary>
    private void WriteLeaseMarksSoon()
    {
        if (_commit.HasPending || _leaseMarksDue) return;
        _leaseMarksDue = true;
        _leaseMarks ??= this.RegisterGrainTimer(WriteLeaseMarksAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        _leaseMarks.Change(LeaseMarkDelay, Timeout.InfiniteTimeSpan);
    }

    private Task WriteLeaseMarksAsync(CancellationToken cancellationToken)
    {
        _leaseMarksDue = false;
        if (_partition.HasUnwrittenChanges) _commit.Request();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Arms the one-shot promotion timer for the next due time, whenever it is (the one-second tick only backs it
    /// up): called after every write, promotion and activation, it changes the timer only when the next due time is
    /// earlier than the one it is armed for, so it costs a comparison on the write path. A due task that waits for
    /// its segment is promoted when the read lands (<see cref="OnSegmentWarmed"/>), not by spinning this timer.
    /// </summary>
    private void SchedulePromotion()
    {
        if (_commit.IsBroken || _partition.NextDue is not { } due) return;
        var now = _time.GetUtcNow();
        if (due <= now && _partition.PromotionAwaitsReads) due = now + TickPeriod;
        if (due < _lastPromotion + PromotionGap) due = _lastPromotion + PromotionGap;
        if (_promotionArmedFor is { } armed && armed <= due) return;
        var wait = due - now;
        wait = wait <= TimeSpan.Zero ? TimeSpan.Zero
            : wait > LongestPromotionWait ? LongestPromotionWait
            // Whole milliseconds, rounded up: the timer truncates, and a timer that fires early promotes nothing.
            : TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
        _promotion ??= this.RegisterGrainTimer(PromoteAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        _promotion.Change(wait, Timeout.InfiniteTimeSpan);
        _promotionArmedFor = now + wait;
    }

    private Task PromoteAsync(CancellationToken cancellationToken)
    {
        _promotionArmedFor = null;
        PromoteNow();
        return Task.CompletedTask;
    }

    /// <summary>Promotes what is due, hands it to parked workers, reads ahead for what is due next, and re-arms the timer.</summary>
    private void PromoteNow()
    {
        if (_commit.IsBroken) return;
        var now = _time.GetUtcNow();
        if (Change(() => _partition.PromoteDue(now)) > 0)
        {
            _lastPromotion = now;
            _commit.Request();
            DispatchToWaiters();
        }
        _cold.Prefetch();
        SchedulePromotion();
    }

    /// <summary>A cold segment was read back (or found lost): leasing can go on, and delayed tasks that waited for it are due.</summary>
    private void OnSegmentWarmed()
    {
        if (_partition.NextDue is { } due && due <= _time.GetUtcNow()) PromoteNow();
        DispatchToWaiters();
    }

    private Task TickAsync(CancellationToken cancellationToken)
    {
        if (_commit.IsBroken) return Task.CompletedTask;
        var now = _time.GetUtcNow();
        var changed = Change(() =>
        {
            var changed = _partition.PromoteDue(now) + _partition.ExpireLeases(now);
            // The hold after a failover ended (or is about to): hand out what waited.
            if (_partition.HasPending && !_partition.IsHeld(now) && _partition.IsHeld(now - TickPeriod)) changed++;
            if (now >= _nextCleanup)
            {
                _nextCleanup = now + _options.CleanupInterval;
                changed += _partition.RemoveExpired(now);
            }
            _partition.Evict(_options.MaxResidentTasks);
            return changed;
        });
        if (changed > 0 || _partition.HasUnwrittenChanges)
        {
            _commit.Request();
            DispatchToWaiters();
        }
        // Reads ahead for what comes due in the next seconds (and retries a read a due task waits for that failed).
        _cold.Prefetch();
        SchedulePromotion();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Redelivers a dead silo's tasks the moment Orleans declares it dead, instead of after their leases
    /// run out (see <see cref="DeadSiloWatcher"/>).
    /// </summary>
    private Task ReleaseDeadSilosAsync(Func<string, bool> isGone, IReadOnlyCollection<string> silos)
    {
        if (_commit.IsBroken) return Task.CompletedTask;
        var released = Change(() => _partition.ReleaseWorker(isGone, _time.GetUtcNow()));
        if (released == 0) return Task.CompletedTask;
        LogReleasedDeadWorkers(released, string.Join(", ", silos));
        _commit.Request();
        DispatchToWaiters();
        return Task.CompletedTask;
    }

    private static (string Queue, int Partition) ParseKey(string key)
    {
        var split = key.LastIndexOf(':');
        if (split <= 0 || !int.TryParse(key.AsSpan(split + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || partition > 255)
            throw new InvalidTaskException("Partition", $"'{key}' is not a queue partition key (queue:partition, partition 0..255).");
        return (QueueNames.Validate(key[..split]), partition);
    }

    /// <summary>Tasks in a partition the silos do not serve would wait for ever: submits and leases there are refused.</summary>
    private void CheckServed()
    {
        if (_partitionNumber >= _shared.PartitionsPerQueue)
            throw new InvalidTaskException("Partition", $"Queue '{_queue}' has partitions 0..{_shared.PartitionsPerQueue - 1} on these silos, not {_partitionNumber}: clients and silos must agree on TaskQueue:PartitionsPerQueue.");
    }

    private static void CheckWorkerId(string workerId)
    {
        if (string.IsNullOrEmpty(workerId) || workerId.Length > 300) throw new ArgumentException("A worker id must be 1-300 characters.", nameof(workerId));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
