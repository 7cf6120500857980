using DistributedTaskQueue.Execution;
using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Worker;

/// <summary>
/// Consumes one queue partition for this silo: long-polls it for as many tasks as there are free slots,
/// hands them to the silo's executor grain through its <see cref="ExecutionLane"/>, renews all their leases in one
/// call per heartbeat, and reports outcomes in batches as each attempt ends.
/// </summary>
internal sealed partial class PartitionConsumer : ILeaseHolder, IExecutionListener
{
    private const int MaxLeaseBatch = 256;
    private readonly ITaskQueueGrain _grain;
    private readonly string _key;
    private readonly string _workerId;
    private readonly WorkerOptions _options;
    private readonly WorkerSlots _slots;
    private readonly ExecutionLane _lane;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CompletionReporter _reporter;
    private readonly RunningAttempts _running = new();
    private readonly ILeaseHolder _self;
    private readonly TimeProvider _time;
    private long _leaseRequest;

    // hardStop fires when the shutdown grace period is over: attempts still running then end Released.
    public PartitionConsumer(IGrainFactory grains, ITaskQueueGrain partition, string key, string workerId, WorkerOptions options, WorkerSlots slots, ExecutionLanes lanes, WorkerMetrics metrics, TimeProvider time, ILogger logger, CancellationToken hardStop)
    {
        _metrics = metrics;
        // The partition calls back through this reference to cancel a running task (it travels with every lease call).
        _self = grains.CreateObjectReference<ILeaseHolder>(this);
        _grain = partition;
        _key = key;
        _workerId = workerId;
        _options = options;
        _slots = slots;
        _time = time;
        _logger = logger;
        _reporter = new CompletionReporter(partition, workerId, time, logger);
        // Called from this silo (the consumer's own grain factory, outside any grain), the stateless worker is placed here.
        _lane = new ExecutionLane(lanes, grains.GetGrain<ITaskExecutorGrain>(0), this, workerId, options.TaskTimeout, time, logger, hardStop);
    }

    /// <summary>Where this consumer's lease loop reports progress, for the readiness check.</summary>
    public ConsumerProgress Progress { get; init; } = ConsumerProgress.Untracked;

    /// <summary>
    /// Leases until <paramref name="stop"/>; the tasks it started keep running (see <see cref="TaskWorker"/>). A busy
    /// loop takes every free slot and asks without waiting; an idle one parks a long poll for one task without holding
    /// a slot, so a silo serving more partitions than it has slots still hears of work on every one of them at once.
    /// </summary>
    public async Task LeaseUntilStoppedAsync(CancellationToken stop)
    {
        var idle = true;
        while (!stop.IsCancellationRequested)
        {
            int reserved;
            int requested;
            try
            {
                Progress.WaitingForSlot();
                await _slots.WaitAsync(stop).ConfigureAwait(false);
                Progress.SlotTaken();
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (idle)
            {
                // Parks only while some slot is free (so a saturated silo does not take tasks only to hand them back),
                // but gives it back for the wait: the slot is for whichever queue gets work first. It asks for as many
                // as are free now, so a burst arriving at an idle silo is taken in one reply.
                _slots.Release(1);
                reserved = 0;
                requested = Math.Clamp(_slots.Free, 1, MaxLeaseBatch);
            }
            else
            {
                reserved = 1 + _slots.TakeFree(MaxLeaseBatch - 1);
                requested = reserved;
            }
            LeasedTask[] leased;
            try
            {
                // A failed call is retried under the same request number, so a lost reply's tasks come back to us.
                leased = await _grain.LeaseAsync(_workerId, _leaseRequest, requested, idle ? _options.PollingInterval : TimeSpan.Zero, _self).ConfigureAwait(false);
                _leaseRequest++;
                Progress.Leased();
            }
            catch (Exception ex)
            {
                _slots.Release(reserved);
                if (stop.IsCancellationRequested)
                {
                    await GiveBackLostReplyAsync().ConfigureAwait(false);
                    break;
                }
                LogLeaseFailed(ex, _key);
                if (!await DelayAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false)) break;
                continue;
            }
            // Slots for what came: a parked call holds none and takes them now; tasks no slot is left for go straight
            // back (no attempt counted as failed), so a silo never runs more than its slots.
            var slots = reserved + _slots.TakeFree(Math.Max(leased.Length - reserved, 0));
            if (leased.Length > slots)
            {
                LogOverDelivered(leased.Length - slots, _key);
                foreach (var extra in leased[slots..]) _reporter.Add(new TaskCompletion(extra.Lease, new TaskOutcome.Released()));
                leased = leased[..slots];
            }
            _slots.Release(slots - leased.Length);
            // Fewer than asked for: the partition has nothing more pending now, so the next call parks at once
            // (a call that cannot wait would only come back empty).
            idle = leased.Length < requested;
            if (leased.Length > 0) HandOver(leased);
        }
    }

    /// <summary>
    /// At stop, after a lease call failed: its lost reply may have carried tasks, which nothing here renews. Asked again
    /// under the same number for none, the partition puts them back in line at once (Reclaim), instead of leaving them
    /// Running until their leases expire. Bounded, so an unreachable partition does not hold the stop up for a call timeout.
    /// </summary>
    private async Task GiveBackLostReplyAsync()
    {
        try
        {
            await _grain.LeaseAsync(_workerId, _leaseRequest, 0, TimeSpan.Zero, _self).WaitAsync(TimeSpan.FromSeconds(5), _time).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogLeaseFailed(ex, _key);
        }
    }

    /// <summary>Renews the leases of running tasks every heartbeat until <paramref name="stop"/> (after the last task finished).</summary>
    public Task RenewUntilStoppedAsync(CancellationToken stop) =>
        new LeaseHeartbeat(_options.HeartbeatInterval, _time, () => _running.Tokens, leases => _grain.RenewAsync(_workerId, leases), lost =>
        {
            // Someone else may run these attempts now: stop ours, and do not report an outcome that would be rejected.
            // Before the log line, so that a logger that throws cannot leave them running.
            // Only those still running here are counted: an attempt that ended meanwhile lost nothing worth a warning.
            if (_running.LoseLeases(lost) is var stopped and > 0) LogLeasesLost(stopped, _key);
        }, ex => LogRenewFailed(ex, _key)).RunAsync(stop);

    /// <summary>Ends this worker's parked lease call at once (shutdown).</summary>
    public async Task StopWaitingAsync()
    {
        try
        {
            await _grain.StopWaitingAsync(_workerId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogLeaseFailed(ex, _key);
        }
    }

    public Task DrainReportsAsync() => _reporter.DrainAsync();

    /// <summary>The partition asks to cancel running attempts: fire their tokens (the executor stops waiting even if the handler does not).</summary>
    public Task CancelAsync(LeaseToken[] attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        _running.Stop(attempts);
        return Task.CompletedTask;
    }

    /// <summary>Closes this consumer's execution lane, once it leases no more and its attempts have ended.</summary>
    public Task CloseLaneAsync() => _lane.CloseAsync();

    /// <summary>
    /// Hands a leased batch to the executor grain. Its attempts hold their slots and are renewed from now on; each comes
    /// back through <see cref="IExecutionListener.Finished"/> as it ends.
    /// </summary>
    private void HandOver(LeasedTask[] leased)
    {
        foreach (var task in leased)
        {
            _slots.TaskStarted();
            _running.Start(task.Lease);
            _metrics.Started();
        }
        _lane.HandOver(leased);
    }

    CancellationToken IExecutionListener.CancellationOf(LeaseToken attempt) => _running.CancellationOf(attempt);

    /// <summary>One attempt ended: report it (unless its lease is gone), free its slot.</summary>
    void IExecutionListener.Finished(LeasedTask task, TaskCompletion? completion, TimeSpan duration)
    {
        var attempt = _running.End(task.Lease);
        TaskOutcome outcome = new TaskOutcome.Released();
        if (completion is not null)
        {
            if (!_options.AutoRetry && completion.Outcome is TaskOutcome.Failed failed)
                completion = completion with { Outcome = failed with { Retryable = false } };
            outcome = completion.Outcome;
            if (attempt is { LeaseLost: false }) _reporter.Add(completion);
        }
        _metrics.Finished(task.Id.Queue, outcome, duration);
        _slots.TaskFinished();
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease call to {Partition} failed; retrying in 1 s")]
    private partial void LogLeaseFailed(Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing leases on {Partition} failed; retrying next heartbeat")]
    private partial void LogRenewFailed(Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} tasks leased from {Partition} found no free slot on this worker and were handed back")]
    private partial void LogOverDelivered(int count, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} running tasks of {Partition} lost their leases; they are stopped and their results will not be reported")]
    private partial void LogLeasesLost(int count, string partition);
}
