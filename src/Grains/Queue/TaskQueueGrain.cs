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
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync, the end of a grain's life.")]
internal sealed partial class TaskQueueGrain : Grain, ITaskQueueGrain
{
    /// <summary>The name of the grain storage provider that holds partitions.</summary>
    public const string StorageName = "dtq";

    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);
    private readonly IGrainStorage _storage;
    private readonly Serializer _serializer;
    private readonly TaskQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TaskQueueGrain> _logger;
    private readonly LinkedList<LeaseWaiter> _leaseWaiters = new();
    private readonly Dictionary<long, List<TaskCompletionSource>> _resultWaiters = [];
    private readonly Dictionary<string, ITaskWorkerObserver> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastLeaseRequest = new(StringComparer.Ordinal);
    private readonly HashSet<SiloAddress> _deadSilos = [];
    private readonly CancellationTokenSource _deactivating = new();
    private readonly IClusterMembershipService _membership;
    private static readonly TimeSpan CatalogMaxAge = TimeSpan.FromSeconds(30);
    private TaskCatalog _catalog = TaskCatalog.Unknown;
    private DateTimeOffset _catalogFetchedAt = DateTimeOffset.MinValue;
    private QueuePartition _partition = null!; // set in OnActivateAsync, before any call is served
    private PartitionStore _store = null!;
    private TaskCompletionSource? _nextWrite;
    private bool _writing;
    private bool _broken;
    private DateTimeOffset _nextCleanup;
    private IGrainTimer? _promotion;
    private static readonly TimeSpan LeaseMarkDelay = TimeSpan.FromMilliseconds(5);
    private IGrainTimer? _leaseMarks;
    private bool _leaseMarksDue;
    private readonly Dictionary<long, Task> _warming = [];
    private readonly PartitionMetrics _metrics;
    private string _queue = "";

    private sealed record LeaseWaiter(string WorkerId, long RequestId, int Max, TaskCompletionSource<LeasedTask[]> Result);

    public TaskQueueGrain(IServiceProvider services, Serializer serializer, IOptions<TaskQueueOptions> options, TimeProvider time, IClusterMembershipService membership, PartitionMetrics metrics, ILogger<TaskQueueGrain> logger)
    {
        _metrics = metrics;
        _membership = membership;
        _storage = services.GetRequiredKeyedService<IGrainStorage>(StorageName);
        _serializer = serializer;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var split = key.LastIndexOf(':');
        var queue = _queue = key[..split];
        var partitionNumber = int.Parse(key.AsSpan(split + 1), CultureInfo.InvariantCulture);
        _store = new PartitionStore(_storage, _serializer, this.GetGrainId());
        var head = await _store.ReadHeadAsync() ?? new PartitionHead();
        // A new epoch, written before any lease is granted: see PartitionHead.Epoch. The ETag-guarded write
        // also fails fast if another activation of this partition is still alive.
        head.Epoch++;
        await _store.WriteAsync(head, []);
        _partition = new QueuePartition(queue, partitionNumber, _options, Random.Shared.NextDouble, head);
        await RestoreAsync(head);
        _nextCleanup = _time.GetUtcNow() + _options.CleanupInterval;
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { Interleave = true });
        WatchMembershipAsync(_deactivating.Token).Ignore();
        var stats = _partition.Stats();
        LogActivated(key, stats.Pending, stats.Delayed, stats.Running);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _deactivating.CancelAsync();
        _deactivating.Dispose();
        // Lease marks may still wait for their write; the next activation should find them.
        if (_partition is { HasUnwrittenChanges: true } && !_broken)
        {
            try
            {
                await PersistAsync();
            }
            catch (TaskQueueUnavailableException)
            {
                // Logged by the write loop; the marks only spare live workers a rerun after a failover.
            }
        }
    }

    public async Task<TaskId[]> SubmitAsync(TaskSubmission[] tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        // The owner checks every field itself, whatever the client checked: nothing invalid is ever stored.
        var validatedAt = _time.GetUtcNow();
        foreach (var task in tasks) TaskRules.Validate(task, _options, validatedAt);
        if (_options.RefuseUnknownTaskNames) await RefuseUnknownNamesAsync(tasks);
        var now = _time.GetUtcNow();
        var ids = new TaskId[tasks.Length];
        for (var i = 0; i < tasks.Length; i++) ids[i] = _partition.Submit(tasks[i], now);
        await PersistAsync();
        return ids;
    }

    public async Task<LeasedTask[]> LeaseAsync(string workerId, long requestId, int max, TimeSpan wait, ITaskWorkerObserver? observer)
    {
        if (observer is not null) _workers[workerId] = observer;
        // A retry of a call whose reply was lost gets that call's tasks back (they are recorded durably per call).
        // Only a number not above the last one seen (or the first call a new activation sees) can be a retry,
        // so the scan over running leases stays off the ordinary lease path.
        var maybeRetry = !_lastLeaseRequest.TryGetValue(workerId, out var last) || requestId <= last;
        _lastLeaseRequest[workerId] = requestId;
        if (maybeRetry)
        {
            var reclaimed = _partition.Reclaim(workerId, requestId, _time.GetUtcNow());
            if (reclaimed.Count > 0) return [.. reclaimed];
        }
        if (max <= 0) return [];
        var leased = _leaseWaiters.Count == 0 ? _partition.Lease(workerId, requestId, max, _time.GetUtcNow()) : [];
        Prefetch();
        if (leased.Count > 0)
        {
            WriteLeaseMarksSoon();
            return [.. leased];
        }
        if (wait <= TimeSpan.Zero) return [];
        var waiter = new LeaseWaiter(workerId, requestId, max, new TaskCompletionSource<LeasedTask[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        var node = _leaseWaiters.AddLast(waiter);
        using var timeout = new CancellationTokenSource();
        var first = await Task.WhenAny(waiter.Result.Task, Task.Delay(wait, _time, timeout.Token));
        await timeout.CancelAsync();
        // Both completions run as turns of this grain, so a waiter is either handed tasks or removed here, never both.
        if (first != waiter.Result.Task && node.List is not null)
        {
            _leaseWaiters.Remove(node);
            waiter.Result.TrySetResult([]);
        }
        return await waiter.Result.Task;
    }

    public async Task CompleteAsync(string workerId, TaskCompletion[] completions)
    {
        ArgumentNullException.ThrowIfNull(completions);
        var now = _time.GetUtcNow();
        var finished = new List<long>(completions.Length);
        foreach (var completion in completions)
        {
            if (_partition.Complete(completion, now)) finished.Add(completion.Sequence);
            else LogStaleCompletion(workerId, completion.Sequence, completion.Attempt);
        }
        await PersistAsync();
        foreach (var sequence in finished)
        {
            if (_partition.IsTerminalOrUnknown(sequence)) WakeResultWaiters(sequence);
        }
    }

    public Task<long[]> RenewAsync(string workerId, LeaseToken[] leases)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var now = _time.GetUtcNow();
        var lost = leases.Where(l => !_partition.Renew(workerId, l, now)).Select(l => l.Sequence).ToArray();
        return Task.FromResult(lost);
    }

    public Task StopWaitingAsync(string workerId)
    {
        for (var node = _leaseWaiters.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.WorkerId == workerId)
            {
                _leaseWaiters.Remove(node);
                node.Value.Result.TrySetResult([]);
            }
            node = next;
        }
        return Task.CompletedTask;
    }

    public async Task<TaskInfo?> GetTaskAsync(long sequence)
    {
        await WarmAsync([sequence]);
        return _partition.GetInfo(sequence);
    }

    public async Task<TaskInfo?> WaitAsync(long sequence, TimeSpan wait)
    {
        await WarmAsync([sequence]);
        if (_partition.IsTerminalOrUnknown(sequence) || wait <= TimeSpan.Zero) return _partition.GetInfo(sequence);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_resultWaiters.TryGetValue(sequence, out var list)) _resultWaiters[sequence] = list = [];
        list.Add(done);
        using var timeout = new CancellationTokenSource();
        await Task.WhenAny(done.Task, Task.Delay(wait, _time, timeout.Token));
        await timeout.CancelAsync();
        if (_resultWaiters.TryGetValue(sequence, out list) && list.Remove(done) && list.Count == 0) _resultWaiters.Remove(sequence);
        await WarmAsync([sequence]);
        return _partition.GetInfo(sequence);
    }

    public Task<QueueStats> GetStatsAsync() => Task.FromResult(_partition.Stats());

    public async Task<bool> CancelAsync(long sequence)
    {
        await WarmAsync([sequence]);
        var result = _partition.Cancel(sequence, _time.GetUtcNow(), out var worker, out var attempt);
        if (result is QueuePartition.CancelResult.Unknown or QueuePartition.CancelResult.AlreadyFinished) return false;
        await PersistAsync();
        if (result == QueuePartition.CancelResult.Cancelled) WakeResultWaiters(sequence);
        else if (worker is not null && _workers.TryGetValue(worker, out var observer))
        {
            // One-way: the worker fires the attempt's token; the task ends Cancelled when it reports.
            observer.CancelAsync([attempt]).Ignore();
        }
        return true;
    }

    public async Task<TaskInfo[]> ListDeadLettersAsync(long after, int limit)
    {
        limit = Math.Clamp(limit, 0, 10_000);
        await WarmAsync(_partition.DeadLetterPage(after, limit));
        return [.. _partition.ListDeadLetters(after, limit)];
    }

    public async Task<int> RetryDeadLettersAsync(long[]? sequences, string? taskName)
    {
        await WarmAsync(sequences ?? [.. _partition.DeadLetterSequences]);
        var count = _partition.RetryDeadLetters(sequences, taskName);
        if (count == 0) return 0;
        await PersistAsync();
        DispatchToWaiters();
        return count;
    }

    public async Task<int> PurgeDeadLettersAsync(long[]? sequences, string? taskName)
    {
        await WarmAsync(sequences ?? [.. _partition.DeadLetterSequences]);
        var count = _partition.PurgeDeadLetters(sequences, taskName);
        if (count > 0) await PersistAsync();
        return count;
    }

    public async Task SetPausedAsync(bool paused)
    {
        _partition.SetPaused(paused);
        await PersistAsync();
        if (!paused) DispatchToWaiters();
    }

    /// <summary>
    /// Refuses names no connected worker handles. The catalog is cached for 30 s and fetched again before
    /// refusing, so a handler deployed a moment ago is not refused; a catalog that cannot be read refuses nothing.
    /// </summary>
    private async Task RefuseUnknownNamesAsync(TaskSubmission[] tasks)
    {
        // An empty catalog (no worker registered yet) is asked again after a second, a known one after 30 s.
        var maxAge = _catalog.Workers == 0 ? TimeSpan.FromSeconds(1) : CatalogMaxAge;
        if (_time.GetUtcNow() - _catalogFetchedAt > maxAge) await RefreshCatalogAsync();
        if (tasks.All(t => _catalog.MayHandle(t.TaskName))) return;
        await RefreshCatalogAsync();
        var unknown = tasks.Select(t => t.TaskName).FirstOrDefault(n => !_catalog.MayHandle(n));
        if (unknown is null) return;
        var known = string.Join(", ", _catalog.Names.Order(StringComparer.Ordinal).Take(20));
        throw new InvalidTaskException($"No connected worker handles task '{unknown}' (workers handle: {known}).");
    }

    private async Task RefreshCatalogAsync()
    {
        try
        {
            _catalog = await GrainFactory.GetGrain<ITaskCatalogGrain>(0).GetAsync();
        }
        catch (Exception ex)
        {
            LogCatalogUnavailable(ex);
            _catalog = TaskCatalog.Unknown;
        }
        _catalogFetchedAt = _time.GetUtcNow();
    }

    /// <summary>Returns a task that completes after a write that includes every change made so far.</summary>
    private Task PersistAsync()
    {
        if (_broken) throw new TaskQueueUnavailableException("This queue partition lost its storage and is reloading; retry the call.");
        _nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = _nextWrite.Task;
        if (!_writing)
        {
            // Set before the loop starts: when every write of a flush finishes before it is awaited (a busy
            // machine can deschedule us that long), the loop runs on synchronously, may ask for the next write,
            // and must not start a second loop that writes the same segments with the same ETags.
            _writing = true;
            WriteLoopAsync().Ignore();
        }
        return next;
    }

    /// <summary>A write nobody waits for (lease marks, promotions): it rides along with the next group commit.</summary>
    private void RequestWrite() => PersistAsync().Ignore();

    /// <summary>
    /// Group commit: each write carries everything changed while the previous one was in flight. Batches form
    /// from arrivals, never from a timer (a timer only adds latency).
    /// </summary>
    private async Task WriteLoopAsync()
    {
        try
        {
            await WriteBatchesAsync();
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task WriteBatchesAsync()
    {
        while (_nextWrite is { } batch)
        {
            _nextWrite = null;
            var staged = _partition.TakeStaged();
            var started = _time.GetTimestamp();
            var segments = 0;
            try
            {
                var dirty = _partition.TakeDirty();
                segments = dirty.Count;
                await _store.WriteAsync(_partition.Head, dirty);
            }
            catch (Exception ex)
            {
                // The in-memory model now holds changes storage may not have: fail every waiter and reload from storage.
                _broken = true;
                LogWriteFailed(ex, this.GetPrimaryKeyString());
                var failure = new TaskQueueUnavailableException("Writing the queue partition failed; the outcome is unknown.", ex);
                batch.TrySetException(failure);
                _nextWrite?.TrySetException(failure);
                _nextWrite = null;
                this.DeactivateOnIdle();
                return;
            }
            _metrics.Wrote(_queue, _time.GetElapsedTime(started), segments);
            _partition.CommitStaged(staged);
            _partition.Settle();
            _partition.Evict(_options.MaxResidentTasks);
            batch.TrySetResult();
            if (staged.Count > 0) DispatchToWaiters();
            SchedulePromotion();
        }
    }

    private void DispatchToWaiters()
    {
        List<(LeaseWaiter Waiter, LeasedTask[] Tasks)>? handOut = null;
        while (_leaseWaiters.First is { } node && _partition.HasPending && !_partition.Paused)
        {
            var leased = _partition.Lease(node.Value.WorkerId, node.Value.RequestId, node.Value.Max, _time.GetUtcNow());
            if (leased.Count == 0) break;
            _leaseWaiters.RemoveFirst();
            (handOut ??= []).Add((node.Value, [.. leased]));
        }
        Prefetch();
        if (handOut is null) return;
        foreach (var (waiter, tasks) in handOut) waiter.Result.TrySetResult(tasks);
        WriteLeaseMarksSoon();
    }

    /// <summary>
    /// Lease marks (Running, the attempt, the lease call) are never waited for: a lease is fenced by (epoch, attempt),
    /// unique even if its mark never lands. So they do not start a write of their own at once, which would put a
    /// second write between a submit's and its completion's on the path of a quick task; they ride with the next
    /// write anyone waits for, or go a few milliseconds later on their own, so a failover still finds them.
    /// </summary>
    private void WriteLeaseMarksSoon()
    {
        if (_nextWrite is not null || _leaseMarksDue) return;
        _leaseMarksDue = true;
        _leaseMarks ??= this.RegisterGrainTimer(WriteLeaseMarksAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        _leaseMarks.Change(LeaseMarkDelay, Timeout.InfiniteTimeSpan);
    }

    private Task WriteLeaseMarksAsync(CancellationToken cancellationToken)
    {
        _leaseMarksDue = false;
        if (!_broken && _partition.HasUnwrittenChanges) RequestWrite();
        return Task.CompletedTask;
    }

    /// <summary>Starts reading the cold segments leasing will reach soon (or has reached); each one read wakes the lease waiters.</summary>
    private void Prefetch()
    {
        foreach (var number in _partition.TakeWanted()) WarmSegmentAsync(number).Ignore();
    }

    /// <summary>Reads the cold segments these sequences live in, so the model can answer for them.</summary>
    private async Task WarmAsync(IEnumerable<long> sequences)
    {
        // Rounds, because a segment read for us may be evicted again before this turn resumes (a busy partition).
        for (var round = 0; ; round++)
        {
            var cold = _partition.ColdSegmentsOf(sequences);
            if (cold.Count == 0) return;
            if (round == 3) throw new TaskQueueUnavailableException($"Could not read segments {string.Join(", ", cold)} of queue partition {this.GetPrimaryKeyString()}; retry the call.");
            await Task.WhenAll(cold.Select(WarmSegmentAsync));
        }
    }

    /// <summary>One read per cold segment at a time, shared by every caller that needs it.</summary>
    private Task WarmSegmentAsync(long number)
    {
        if (_warming.TryGetValue(number, out var reading)) return reading;
        reading = ReadAndWarmAsync(number);
        if (!reading.IsCompleted) _warming[number] = reading;
        return reading;
    }

    private async Task ReadAndWarmAsync(long number)
    {
        try
        {
            _metrics.ReadBack(_queue);
            if (await _store.ReadSegmentAsync(number) is not { } segment) LogColdSegmentMissing(this.GetPrimaryKeyString(), number);
            else if (_partition.Warm(segment)) DispatchToWaiters();
        }
        catch (Exception ex)
        {
            LogColdSegmentReadFailed(ex, this.GetPrimaryKeyString(), number);
            throw;
        }
        finally
        {
            _warming.Remove(number);
        }
    }

    private void WakeResultWaiters(long sequence)
    {
        if (!_resultWaiters.Remove(sequence, out var list)) return;
        foreach (var waiter in list) waiter.TrySetResult();
    }

    /// <summary>
    /// The one-second tick promotes delayed tasks; one due sooner than the next tick (a 100 ms retry backoff, a
    /// short delay) gets a one-shot timer of its own, so delays keep their precision.
    /// </summary>
    private void SchedulePromotion()
    {
        if (_partition.NextDue is not { } due) return;
        var wait = due - _time.GetUtcNow();
        if (wait >= TickPeriod) return;
        _promotion ??= this.RegisterGrainTimer(PromoteAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        _promotion.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private Task PromoteAsync(CancellationToken cancellationToken)
    {
        if (_broken) return Task.CompletedTask;
        if (_partition.PromoteDue(_time.GetUtcNow()) > 0)
        {
            RequestWrite();
            DispatchToWaiters();
        }
        SchedulePromotion();
        return Task.CompletedTask;
    }

    private Task TickAsync(CancellationToken cancellationToken)
    {
        if (_broken) return Task.CompletedTask;
        var now = _time.GetUtcNow();
        var changed = _partition.PromoteDue(now) + _partition.ExpireLeases(now);
        if (now >= _nextCleanup)
        {
            _nextCleanup = now + _options.CleanupInterval;
            changed += _partition.RemoveExpired(now);
        }
        _partition.Evict(_options.MaxResidentTasks);
        if (changed > 0)
        {
            RequestWrite();
            DispatchToWaiters();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Redelivers a dead silo's tasks the moment Orleans declares it dead, instead of after their leases
    /// run out. Workers lease under their silo's address, so the membership view names them.
    /// </summary>
    private async Task WatchMembershipAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    var members = string.Join(", ", snapshot.Members.Values.Select(m => $"{m.SiloAddress}={m.Status}"));
                    LogMembership(snapshot.Version.Value, members);
                }
                var dead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && _deadSilos.Add(m.SiloAddress))
                    .Select(m => m.SiloAddress.ToParsableString()).ToHashSet(StringComparer.Ordinal);
                if (dead.Count == 0 || _broken) continue;
                var released = _partition.ReleaseWorker(worker => dead.Any(silo => IsOnSilo(worker, silo)), _time.GetUtcNow());
                if (released == 0) continue;
                LogReleasedDeadWorkers(released, string.Join(", ", dead));
                RequestWrite();
                DispatchToWaiters();
            }
        }
        catch (OperationCanceledException)
        {
            // Deactivating.
        }
    }

    /// <summary>A worker id is its silo's address (<c>ip:port@generation</c>), optionally prefixed with a name and '@'.</summary>
    internal static bool IsOnSilo(string workerId, string siloAddress) =>
        workerId == siloAddress || (workerId.EndsWith(siloAddress, StringComparison.Ordinal) && workerId[^(siloAddress.Length + 1)] == '@');

    /// <summary>
    /// Reads the stored segments in ascending chunks and rebuilds the model, evicting as it goes, so activating a
    /// partition with a deep backlog never holds more than the resident budget plus one chunk of records.
    /// </summary>
    private async Task RestoreAsync(PartitionHead head)
    {
        var last = head.NextSequence == 0 ? -1 : TaskSegment.NumberOf(head.NextSequence - 1);
        // Read the known range in bounded parallel chunks, then probe past it: a head write that failed
        // after its segment write succeeded must not let sequence numbers be reused.
        for (var start = head.FirstSegment; start <= last; start += 64)
        {
            var chunk = Enumerable.Range(0, (int)Math.Min(64, last - start + 1)).Select(i => _store.ReadSegmentAsync(start + i));
            _partition.Restore((await Task.WhenAll(chunk)).OfType<TaskSegment>(), _time.GetUtcNow());
            _partition.Evict(_options.MaxResidentTasks);
        }
        for (var probe = last + 1; await _store.ReadSegmentAsync(probe) is { } extra; probe++) _partition.Restore([extra], _time.GetUtcNow());
        Prefetch();
    }
}
