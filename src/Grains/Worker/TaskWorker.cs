using DistributedTaskQueue.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Worker;

/// <summary>
/// This silo's worker: one <see cref="PartitionConsumer"/> per queue partition it serves, sharing the
/// silo's slots; each hands what it leases to the silo's executor grain. Every silo pulls, so work spreads over the
/// cluster and a slow silo never hoards. On shutdown it stops leasing, lets running tasks finish within the grace
/// period (renewing their leases), then cancels the rest, ends the executor grain's sessions, reports every outcome,
/// and only then lets the silo stop.
/// </summary>
internal sealed partial class TaskWorker(
    IGrainFactory grains,
    ExecutionLanes lanes,
    TaskHandlerRegistry registry,
    WorkerMetrics metrics,
    IOptions<WorkerOptions> workerOptions,
    IOptions<TaskQueueOptions> queueOptions,
    ILocalSiloDetails silo,
    IHostApplicationLifetime lifetime,
    SiloActiveSignal siloActive,
    TimeProvider time,
    WorkerProgress progress,
    ILogger<TaskWorker> logger) : BackgroundService
{
    private readonly WorkerOptions _options = workerOptions.Value;
    private readonly CancellationTokenSource _hardStop = new();
    private readonly CancellationTokenSource _heartbeatStop = new();
    private WorkerSlots? _slots;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Queues.Count == 0) return;
        // Leases are held under the silo's address, so a partition can redeliver a dead silo's tasks at once.
        var address = silo.SiloAddress.ToParsableString();
        var workerId = string.IsNullOrEmpty(_options.WorkerId) ? address : $"{_options.WorkerId}@{address}";
        // Grain calls need the silo up; hosted services may start before it is. Whichever says so first.
        if (!await WaitForStartAsync(stoppingToken).ConfigureAwait(false)) return;

        _slots = new WorkerSlots(_options.MaxConcurrentTasks);
        var workers = _options.Queues
            .SelectMany(q => Enumerable.Range(0, queueOptions.Value.PartitionsPerQueue).Select(p => QueueNames.PartitionKey(q, p)))
            .Select(key => new PartitionConsumer(grains, grains.GetGrain<ITaskQueueGrain>(key), key, workerId, _options, _slots, lanes, metrics, time, logger, _hardStop.Token) { Progress = progress.Register(key) })
            .ToList();
        metrics.WorkerId = workerId;
        var served = string.Join(", ", _options.Queues);
        LogStarted(workerId, served, _options.MaxConcurrentTasks);

        var heartbeats = workers.Select(w => Task.Run(() => w.RenewUntilStoppedAsync(_heartbeatStop.Token), CancellationToken.None)).ToList();
        var catalog = Task.Run(() => AdvertiseUntilStoppedAsync(workerId, stoppingToken), CancellationToken.None);
        // Reports go on while running tasks drain, so the directory shows them until the worker is done.
        var reports = Task.Run(() => ReportUntilStoppedAsync(workerId, _slots, _heartbeatStop.Token), CancellationToken.None);
        var leasing = workers.Select(w => Task.Run(() => w.LeaseUntilStoppedAsync(stoppingToken), CancellationToken.None)).ToList();
        await WhenCancelled(stoppingToken).ConfigureAwait(false);

        // Shutdown: end the parked long polls at once instead of waiting them out.
        await Task.WhenAll(workers.Select(w => w.StopWaitingAsync())).ConfigureAwait(false);
        await Task.WhenAll(leasing).ConfigureAwait(false);
        await catalog.ConfigureAwait(false);
        await DrainAsync(_slots).ConfigureAwait(false);
        // Every attempt has ended: end the executor grain's sessions before the silo deactivates its activations.
        await Task.WhenAll(workers.Select(w => w.CloseLaneAsync())).ConfigureAwait(false);
        await _heartbeatStop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(heartbeats).ConfigureAwait(false);
        await reports.ConfigureAwait(false);
        await Task.WhenAll(workers.Select(w => w.DrainReportsAsync())).ConfigureAwait(false);
        LogStopped(workerId);
    }

    /// <summary>Tells the cluster which task names this silo runs, every 30 s, and withdraws them on shutdown.</summary>
    private async Task AdvertiseUntilStoppedAsync(string workerId, CancellationToken stop)
    {
        var catalog = grains.GetGrain<ITaskCatalogGrain>(0);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // Inside the try: a raw handler's TaskNames may throw, and this loop must never fault, since shutdown
                // awaits it before draining the attempts still running.
                await catalog.RegisterAsync(workerId, registry.KnownNames, registry.AcceptsAnyName, [.. _options.Queues]).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogCatalogFailed(ex);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        try
        {
            await catalog.UnregisterAsync(workerId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogCatalogFailed(ex);
        }
    }

    private async Task DrainAsync(WorkerSlots slots)
    {
        var idle = slots.WhenIdle();
        var grace = Task.Delay(_options.ShutdownGracePeriod, time);
        if (await Task.WhenAny(idle, grace).ConfigureAwait(false) == grace)
        {
            LogGraceOver(slots.Running);
            await _hardStop.CancelAsync().ConfigureAwait(false);
            await idle.ConfigureAwait(false);
        }
    }

    private static Task WhenCancelled(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task;
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStop = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        if (_options.StartAtSiloActive) _ = siloActive.Active.ContinueWith(_ => started.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await started.Task.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _hardStop.Dispose();
        _heartbeatStop.Dispose();
        _slots?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} serving {Queues} with {Slots} slots")]
    private partial void LogStarted(string workerId, string queues, int slots);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped")]
    private partial void LogStopped(string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update the task catalog; retrying in 30 s")]
    private partial void LogCatalogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown grace period over with {Running} tasks running; cancelling them")]
    private partial void LogGraceOver(int running);
}
