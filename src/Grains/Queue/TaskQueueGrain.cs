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
[QueueSpreadPlacement]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync, the end of a grain's life.")]
internal sealed partial class TaskQueueGrain(
    IServiceProvider services,
    Serializer serializer,
    IOptions<TaskQueueOptions> shared,
    IOptions<PartitionOptions> options,
    TimeProvider time,
    IClusterMembershipService membership,
    PartitionMetrics metrics,
    TaskMetrics taskMetrics,
    QueueGauges gauges,
    LocalPartitions local,
    ILogger<TaskQueueGrain> logger) : Grain, ITaskQueueGrain
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
    private readonly IGrainStorage _storage = services.GetRequiredKeyedService<IGrainStorage>(StorageName);
    // The flush script writes the format Orleans' Redis storage reads; any other storage (memory, a test's) is
    // written through itself.
    private readonly IPartitionFlush? _flush = services.GetRequiredKeyedService<IGrainStorage>(StorageName) is RedisGrainStorage ? services.GetService<IPartitionFlush>() : null;
    private readonly TaskQueueOptions _shared = shared.Value;
    private readonly PartitionOptions _options = options.Value;
    private readonly DeadSiloWatcher _deadSilos = new(membership, logger);
    private readonly ResultWaiters _resultWaiters = new(time);
    private readonly CancellationTokenSource _deactivating = new();
    // Set in OnActivateAsync, before any call is served.
    private PartitionKey _key;
    private QueuePartition _partition = null!;
    private PartitionWrites _writes = null!;
    private ColdSegmentReader _cold = null!;
    private PartitionDispatch _dispatch = null!;
    private PartitionHousekeeping _housekeeping = null!;
    private TaskNameGate _names = null!;
    // Set by the first written submit of this activation: the queue directory is told once (again after a failure).
    private Task<bool>? _listed;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _key = PartitionKey.Parse(key);
        _names = new TaskNameGate(() => GrainFactory.GetGrain<ITaskCatalogGrain>(0).GetAsync(), time, logger);
        var store = new PartitionStore(_storage, _flush, serializer, this.GetGrainId());
        _partition = await new PartitionLoader(store, metrics, _options, time, _key.Queue, key, logger, taskMetrics).OpenAsync(_key.Partition, _shared.DefaultRetry);
        _writes = new PartitionWrites(_key.Queue, _partition, store, metrics, time, this, _options.MaxResidentTasks, OnWritten, OnWriteFailed);
        _cold = new ColdSegmentReader(_partition, store, metrics, time, _key.Queue, key, () => _housekeeping.SegmentWarmed(), () =>
        {
            _writes.Request(); // wakes the waiters of the lost tasks
            _housekeeping.SegmentWarmed(); // promotion goes on past the lost tasks
        }, logger);
        _dispatch = new PartitionDispatch(_partition, _writes, _cold, time, () => local.Stopping);
        _housekeeping = new PartitionHousekeeping(this, _partition, _writes, _cold, _options, time, _dispatch.ServeParked);
        _cold.Prefetch();
        _housekeeping.SchedulePromotion();
        // Records quarantined at restore are written as dead letters now, so the next activation sees them as such.
        if (_partition.HasUnwrittenChanges) _writes.Request();
        _deadSilos.WatchAsync(ReleaseDeadSilosAsync, _deactivating.Token).Ignore();
        // Run on this activation's scheduler (captured here, in its turn), as everything that touches the partition must.
        var scheduler = TaskScheduler.Current;
        local.Add(this, () => Task.Factory.StartNew(() => _dispatch.EndParked(null), CancellationToken.None, TaskCreationOptions.None, scheduler));
        var stats = _partition.Stats();
        LogActivated(key, stats.Pending, stats.Delayed, stats.Running);
        PublishGauge();
        this.RegisterGrainTimer(() => { PublishGauge(); return Task.CompletedTask; }, new GrainTimerCreationOptions(GaugePeriod, GaugePeriod) { Interleave = true });
    }

    private static readonly TimeSpan GaugePeriod = TimeSpan.FromSeconds(1);

    /// <summary>How often a listing reads segments back before it gives up (each round reads what the last one found cold).</summary>
    private const int MaxListRounds = 16;

    /// <summary>Hands the queue gauges this partition's counts, from this grain's own turn (see QueueGauges).</summary>
    private void PublishGauge()
    {
        var stats = _partition.Stats();
        gauges.Publish(_key.ToString(), new PartitionGauge(_key.Queue, _key.Partition, stats.PendingByPriority, stats.Delayed, stats.Running, stats.DeadLettered, stats.OldestPendingSince));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        local.Remove(this);
        await _deactivating.CancelAsync();
        _deactivating.Dispose();
        gauges.Remove(_key.ToString());
        // Both are null when activation failed before the partition opened. A clean close is recorded only where a
        // hold-back is configured: embedded storage keeps nothing across a restart, and its storage grain may be gone
        // already while the silo stops.
        if (_dispatch is { } dispatch) dispatch.EndParked(null);
        if (_writes is { } writes) await writes.CloseAsync(_options.FailoverHoldBack > TimeSpan.Zero);
    }

    public async Task<TaskId[]> SubmitAsync(TaskSubmission[] tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        CheckServed();
        // The owner checks every field itself, whatever the client checked: nothing invalid is ever stored.
        var now = time.GetUtcNow();
        foreach (var task in tasks) TaskRules.Validate(task, _shared, now);
        if (_options.RefuseUnknownTaskNames) await _names.CheckAsync(tasks);
        var ids = _writes.Change(() =>
        {
            var ids = new TaskId[tasks.Length];
            for (var i = 0; i < tasks.Length; i++) ids[i] = _partition.Submit(tasks[i], now);
            return ids;
        });
        await _writes.CommitAsync();
        // Once per activation, after a submit is written (never on a read): the queue directory learns the queue. Not
        // awaited: the tasks are written, and a directory that does not answer must not hold up their acknowledgement.
        if (_listed is null || _listed is { IsCompleted: true, Result: false }) _listed = ListQueueAsync();
        return ids;
    }

    /// <summary>Adds this queue to the queue directory; a failure is logged and tried again at the next submit (the tasks are written already).</summary>
    private async Task<bool> ListQueueAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IQueueDirectoryGrain>(0).AddAsync(_key.Queue);
            return true;
        }
        catch (Exception ex)
        {
            LogDirectoryFailed(ex, _key.Queue);
            return false;
        }
    }

    public async Task<LeasedTask[]> LeaseAsync(string workerId, long requestId, int max, TimeSpan wait, ILeaseHolder? holder)
    {
        CheckWorkerId(workerId);
        CheckServed();
        return await _dispatch.LeaseAsync(workerId, requestId, max, Min(wait, MaxCallWait), holder);
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
        var now = time.GetUtcNow();
        _writes.Change(() =>
        {
            foreach (var completion in completions)
            {
                if (!_partition.Complete(completion, now, workerId)) LogStaleCompletion(workerId, completion.Sequence, completion.Attempt);
            }
        });
        // Waking result waiters and handing released tasks to parked workers happen once this write is durable. When the
        // queue has nothing waiting and the report holds only successes nobody waits for, it rides with the next write (a
        // submit's, or a lease mark's a few milliseconds on) instead of starting one: the worker's reporter waits, its
        // slots do not. A failure or a hand-back may make a task leasable again at once (a retry without backoff), so it
        // writes now, as does a partition with a backlog: its writes release what the drain needs next (settled tasks,
        // room for cold segments), and held reports only grew the reporter's batches (a slower drain, more memory after).
        if (_partition.HasPending || !Array.TrueForAll(completions, c => c.Outcome is TaskOutcome.Succeeded && !_resultWaiters.IsWaitedFor(c.Sequence)))
            await _writes.CommitAsync();
        else
            await _writes.CommitLaterAsync();
    }

    public Task<LeaseToken[]> RenewAsync(string workerId, LeaseToken[] leases)
    {
        CheckWorkerId(workerId);
        ArgumentNullException.ThrowIfNull(leases);
        _writes.ThrowIfBroken();
        var now = time.GetUtcNow();
        var adopted = _partition.AdoptedLeases;
        var lost = leases.Where(l => !_partition.Renew(workerId, l, now)).ToArray();
        // An adopted lease is written soon, as a lease mark is: another failover must find it.
        if (_partition.AdoptedLeases != adopted) _writes.RequestSoon();
        return Task.FromResult(lost);
    }

    public Task StopWaitingAsync(string workerId)
    {
        CheckWorkerId(workerId);
        _dispatch.EndParked(workerId);
        return Task.CompletedTask;
    }

    public Task<TaskInfo?> GetTaskAsync(long sequence) => ReadDurableAsync(sequence, withPayload: true);

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
        return Task.FromResult(_partition.Stats(time.GetUtcNow()));
    }

    public async Task<bool> CancelAsync(long sequence)
    {
        _writes.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        string? worker = null;
        LeaseToken attempt = default;
        var result = _writes.Change(() => _partition.Cancel(sequence, time.GetUtcNow(), out worker, out attempt));
        if (result is QueuePartition.CancelResult.Unknown) return false;
        if (result is QueuePartition.CancelResult.AlreadyFinished)
        {
            // "Too late" is an answer about the task's end, so that end must be durable first: a completion report may
            // still be riding for the next write, and a crash before it would run the task again after the refusal.
            await _writes.WhenWrittenAsync([sequence]);
            return false;
        }
        await _writes.CommitAsync();
        if (result == QueuePartition.CancelResult.Requested && worker is not null) _dispatch.CancelRunning(worker, attempt);
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
        var count = _writes.Change(() => _partition.RetryDeadLetters(sequences, taskName, time.GetUtcNow()));
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

    public async Task<TaskInfo[]> ListTasksAsync(TaskState state, int limit)
    {
        TaskListing.Check(state, limit);
        _writes.ThrowIfBroken();
        var page = await _cold.ListAsync(state, limit, MaxListRounds);
        await _writes.WhenWrittenAsync(page.Select(t => t.Id.Sequence));
        return [.. page];
    }

    public Task<int> PurgeAsync(string? taskName)
    {
        _writes.ThrowIfBroken();
        return new PartitionPurge(_partition, _writes, _cold, time, _options.MaxResidentTasks).RunAsync(taskName);
    }

    public async Task SetPausedAsync(bool paused)
    {
        _writes.Change(() => _partition.SetPaused(paused));
        await _writes.CommitAsync();
    }

    /// <summary>A snapshot taken now and returned once everything it shows is written: readers never see what a failed write would lose.</summary>
    private async Task<TaskInfo?> ReadDurableAsync(long sequence, bool withPayload = false)
    {
        _writes.ThrowIfBroken();
        await _cold.WarmAsync([sequence]);
        var info = _partition.GetInfo(sequence, withPayload);
        await _writes.WhenWrittenAsync([sequence]);
        return info;
    }

    /// <summary>After each write: callers of tasks it finished resume, parked workers get what it made leasable.</summary>
    private void OnWritten(IReadOnlyCollection<long> finished)
    {
        foreach (var sequence in finished) _resultWaiters.Wake(sequence);
        _dispatch.ServeParked();
        _housekeeping.SchedulePromotion();
    }

    private void OnWriteFailed(Exception exception)
    {
        LogWriteFailed(exception, this.GetPrimaryKeyString());
        // Every parked call ends now (result waiters then see the partition broken): deactivation waits for running
        // calls, so one parked wait would otherwise hold every new call for up to its 25 s.
        _dispatch.EndParked(null);
        _resultWaiters.WakeAll();
        this.DeactivateOnIdle();
    }

    /// <summary>
    /// Redelivers a dead silo's tasks the moment Orleans declares it dead, instead of after their leases
    /// run out (see <see cref="DeadSiloWatcher"/>).
    /// </summary>
    private Task ReleaseDeadSilosAsync(Func<string, bool> isGone, IReadOnlyCollection<string> silos)
    {
        if (_writes.IsBroken) return Task.CompletedTask;
        // A dead silo's consumer may have a long poll parked here (it parks while a slot is free): served in arrival
        // order, it would get the very tasks released below, and its reply would go nowhere until their leases ran out.
        _dispatch.EndParkedOf(isGone);
        var released = _writes.Change(() => _partition.ReleaseWorker(isGone, time.GetUtcNow()));
        if (released == 0) return Task.CompletedTask;
        LogReleasedDeadWorkers(released, string.Join(", ", silos));
        _writes.Request();
        _dispatch.ServeParked();
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
