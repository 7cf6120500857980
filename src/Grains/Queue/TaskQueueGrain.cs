using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Persistence;
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
    /// The grain type, pinned: it is part of every stored key (<c>dtq/state/{taskqueue/emails:0}/seg-N</c>: service id,
    /// grain id as a hash tag, state name; see PartitionStorageKeys),
    /// so renaming the class must not change it and strand every stored segment.
    /// </summary>
    public const string GrainTypeName = "taskqueue";

    /// <summary>The name of the grain storage provider that holds partitions.</summary>
    public const string StorageName = "dtq";

    /// <summary>Longest long poll (lease or result wait) one call may hold: well within Orleans' 30 s call timeout.</summary>
    private static readonly TimeSpan MaxCallWait = TimeSpan.FromSeconds(25);
    private readonly IGrainStorage _storage;
    private readonly IPartitionFlush? _flush;
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
    // Set in OnActivateAsync, before any call is served.
    private PartitionKey _key;
    private QueuePartition _partition = null!;
    private PartitionWrites _writes = null!;
    private ColdSegmentReader _cold = null!;
    private PartitionHousekeeping _housekeeping = null!;

    public TaskQueueGrain(IServiceProvider services, Serializer serializer, IOptions<TaskQueueOptions> shared, IOptions<PartitionOptions> options, TimeProvider time, IClusterMembershipService membership, PartitionMetrics metrics, ILogger<TaskQueueGrain> logger)
    {
        _metrics = metrics;
        _deadSilos = new DeadSiloWatcher(membership, logger);
        _storage = services.GetRequiredKeyedService<IGrainStorage>(StorageName);
        // The flush script writes the format Orleans' Redis storage reads; any other storage (memory, a test's) is
        // written through itself.
        _flush = _storage is RedisGrainStorage ? services.GetService<IPartitionFlush>() : null;
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
        _key = PartitionKey.Parse(key);
        var store = new PartitionStore(_storage, _flush, _serializer, this.GetGrainId());
        _partition = await new PartitionLoader(store, _metrics, _options, _time, _key.Queue, key, _logger).OpenAsync(_key.Partition, _shared.DefaultRetry);
        _writes = new PartitionWrites(_key.Queue, _partition, store, _metrics, _time, this, _options.MaxResidentTasks, OnWritten, OnWriteFailed);
        _cold = new ColdSegmentReader(_partition, store, _metrics, _time, _key.Queue, key, () => _housekeeping.SegmentWarmed(), () =>
        {
            _writes.Request(); // wakes the waiters of the lost tasks
            _housekeeping.SegmentWarmed(); // promotion goes on past the lost tasks
        }, _logger);
        _housekeeping = new PartitionHousekeeping(this, _partition, _writes, _cold, _options, _time, DispatchToWaiters);
        _cold.Prefetch();
        _housekeeping.SchedulePromotion();
        // Records quarantined at restore are written as dead letters now, so the next activation sees them as such.
        if (_partition.HasUnwrittenChanges) _writes.Request();
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
        var recordCleanClose = _options.FailoverHoldBack > TimeSpan.Zero && _writes is { HasCommitted: true };
        if (_writes is { IsBroken: false } && (recordCleanClose || _partition.HasUnwrittenChanges))
        {
            _partition.Head.ClosedCleanly = true;
            try
            {
                await _writes.CommitAsync();
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
        var ids = _writes.Change(() =>
        {
            var ids = new TaskId[tasks.Length];
            for (var i = 0; i < tasks.Length; i++) ids[i] = _partition.Submit(tasks[i], now);
            return ids;
        });
        await _writes.CommitAsync();
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
        if (!_writes.HasCommitted && _partition.HasPending) await _writes.CommitAsync();
        if (observer is not null) _workers[workerId] = observer;
        // A retry of a call whose reply was lost gets that call's tasks back (they are recorded durably per call).
        // Only a number not above the last one seen (or the first call a new activation sees) can be a retry,
        // so the scan over running leases stays off the ordinary lease path.
        var maybeRetry = !_lastLeaseRequest.TryGetValue(workerId, out var last) || requestId <= last;
        _lastLeaseRequest[workerId] = requestId;
        if (maybeRetry)
        {
            var reclaimed = _writes.Change(() => _partition.Reclaim(workerId, requestId, max, _time.GetUtcNow()));
            if (_partition.HasUnwrittenChanges) _writes.Request(); // extras went back in line
            if (reclaimed.Count > 0) return [.. reclaimed];
        }
        if (max == 0) return [];
        var leased = _leaseWaiters.IsEmpty && _writes.HasCommitted ? _writes.Change(() => _partition.Lease(workerId, requestId, max, _time.GetUtcNow())) : [];
        _cold.Prefetch();
        if (leased.Count > 0)
        {
            _writes.RequestSoon();
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
        _writes.Change(() =>
        {
            foreach (var completion in completions)
            {
                if (!_partition.Complete(completion, now, workerId)) LogStaleCompletion(workerId, completion.Sequence, completion.Attempt);
            }
        });
        // Waking result waiters and handing released tasks to parked workers happen once this write is durable.
        await _writes.CommitAsync();
    }

    public Task<LeaseToken[]> RenewAsync(string workerId, LeaseToken[] leases)
    {
        CheckWorkerId(workerId);
        ArgumentNullException.ThrowIfNull(leases);
        _writes.ThrowIfBroken();
        var now = _time.GetUtcNow();
        var adopted = _partition.AdoptedLeases;
        var lost = leases.Where(l => !_partition.Renew(workerId, l, now)).ToArray();
        // An adopted lease is written soon, as a lease mark is: another failover must find it.
        if (_partition.AdoptedLeases != adopted) _writes.RequestSoon();
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
        _writes.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        if (_partition.IsFinishedOrUnknown(sequence) || wait <= TimeSpan.Zero) return await ReadDurableAsync(sequence);
        await _resultWaiters.WaitAsync(sequence, Min(wait, MaxCallWait));
        return await ReadDurableAsync(sequence);
    }

    public Task<QueueStats> GetStatsAsync()
    {
        _writes.ThrowIfBroken();
        return Task.FromResult(_partition.Stats());
    }

    public async Task<bool> CancelAsync(long sequence)
    {
        _writes.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        string? worker = null;
        LeaseToken attempt = default;
        var result = _writes.Change(() => _partition.Cancel(sequence, _time.GetUtcNow(), out worker, out attempt));
        if (result is QueuePartition.CancelResult.Unknown or QueuePartition.CancelResult.AlreadyFinished) return false;
        await _writes.CommitAsync();
        if (result == QueuePartition.CancelResult.Requested && worker is not null && _workers.TryGetValue(worker, out var observer))
        {
            // One-way: the worker fires the attempt's token; the task ends Cancelled when it reports.
            observer.CancelAsync([attempt]).Ignore();
        }
        return true;
    }

    public async Task<TaskInfo[]> ListDeadLettersAsync(long after, int limit)
    {
        _writes.ThrowIfBroken();
        limit = Math.Clamp(limit, 0, 10_000);
        await _cold.WarmAsync(_partition.DeadLetterPage(after, limit));
        var page = _partition.ListDeadLetters(after, limit);
        // Only what is written is shown (a dead letter whose write is in flight shows once it is durable).
        await _writes.WhenWrittenAsync(page.Select(t => t.Id.Sequence));
        return [.. page];
    }

    public async Task<int> RetryDeadLettersAsync(long[]? sequences, string? taskName)
    {
        _writes.ThrowIfBroken();
        await _cold.WarmAsync(sequences ?? [.. _partition.DeadLetterSequences]);
        var count = _writes.Change(() => _partition.RetryDeadLetters(sequences, taskName, _time.GetUtcNow()));
        if (count == 0) return 0;
        await _writes.CommitAsync();
        return count;
    }

    public async Task<int> PurgeDeadLettersAsync(long[]? sequences, string? taskName)
    {
        _writes.ThrowIfBroken();
        await _cold.WarmAsync(sequences ?? [.. _partition.DeadLetterSequences]);
        var count = _writes.Change(() => _partition.PurgeDeadLetters(sequences, taskName));
        if (count > 0) await _writes.CommitAsync();
        return count;
    }

    public async Task SetPausedAsync(bool paused)
    {
        _writes.Change(() => _partition.SetPaused(paused));
        await _writes.CommitAsync();
    }

    /// <summary>A snapshot taken now and returned once everything it shows is written: readers never see what a failed write would lose.</summary>
    private async Task<TaskInfo?> ReadDurableAsync(long sequence)
    {
        _writes.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        var info = _partition.GetInfo(sequence);
        await _writes.WhenWrittenAsync([sequence]);
        return info;
    }

    /// <summary>After each write: callers of tasks it finished resume, parked workers get what it made leasable.</summary>
    private void OnWritten(IReadOnlyCollection<long> finished)
    {
        foreach (var sequence in finished) _resultWaiters.Wake(sequence);
        DispatchToWaiters();
        _housekeeping.SchedulePromotion();
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
        if (_writes.IsBroken || _leaseWaiters.IsEmpty) return;
        if (!_writes.HasCommitted)
        {
            // No lease before this activation's epoch is durable: the write dispatches again when it lands.
            if (_partition.HasPending) _writes.Request();
            return;
        }
        var served = _leaseWaiters.Serve(waiter => _partition.HasPending && !_partition.Paused
            ? _writes.Change(() => _partition.Lease(waiter.WorkerId, waiter.RequestId, waiter.Max, _time.GetUtcNow()))
            : []);
        _cold.Prefetch();
        if (served > 0) _writes.RequestSoon();
    }

    /// <summary>
    /// Redelivers a dead silo's tasks the moment Orleans declares it dead, instead of after their leases
    /// run out (see <see cref="DeadSiloWatcher"/>).
    /// </summary>
    private Task ReleaseDeadSilosAsync(Func<string, bool> isGone, IReadOnlyCollection<string> silos)
    {
        if (_writes.IsBroken) return Task.CompletedTask;
        var released = _writes.Change(() => _partition.ReleaseWorker(isGone, _time.GetUtcNow()));
        if (released == 0) return Task.CompletedTask;
        LogReleasedDeadWorkers(released, string.Join(", ", silos));
        _writes.Request();
        DispatchToWaiters();
        return Task.CompletedTask;
    }

    /// <summary>Tasks in a partition the silos do not serve would wait for ever: submits and leases there are refused.</summary>
    private void CheckServed()
    {
        if (_key.Partition >= _shared.PartitionsPerQueue)
            throw new InvalidTaskException("Partition", $"Queue '{_key.Queue}' has partitions 0..{_shared.PartitionsPerQueue - 1} on these silos, not {_key.Partition}: clients and silos must agree on TaskQueue:PartitionsPerQueue.");
    }

    private static void CheckWorkerId(string workerId)
    {
        if (string.IsNullOrEmpty(workerId) || workerId.Length > 300) throw new ArgumentException("A worker id must be 1-300 characters.", nameof(workerId));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
