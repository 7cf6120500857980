using DistributedTaskQueue.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Worker;

/// <summary>
/// This silo's worker loop. For each queue partition it serves, it long-polls for as many tasks as it has
/// free slots, runs them in-process through the <see cref="TaskExecutor"/>, and reports outcomes in batches.
/// Every silo pulls, so work spreads over the cluster and a slow silo never hoards. On shutdown it stops
/// leasing, lets running tasks finish within the grace period, then cancels the rest.
/// </summary>
internal sealed partial class TaskWorker(
    IGrainFactory grains,
    TaskExecutor executor,
    IOptions<WorkerOptions> workerOptions,
    IOptions<TaskQueueOptions> queueOptions,
    ILocalSiloDetails silo,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<TaskWorker> logger) : BackgroundService
{
    private const int MaxLeaseBatch = 256;
    private readonly WorkerOptions _options = workerOptions.Value;
    private readonly CancellationTokenSource _hardStop = new();
    private SemaphoreSlim _slots = null!;
    private int _running;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The id this worker leases under.</summary>
    public string WorkerId { get; private set; } = "";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Queues.Count == 0) return;
        WorkerId = string.IsNullOrEmpty(_options.WorkerId) ? silo.SiloAddress.ToParsableString() : _options.WorkerId;
        _slots = new SemaphoreSlim(_options.MaxConcurrentTasks, _options.MaxConcurrentTasks);
        // Grain calls need the silo up; hosted services may start before it is.
        if (!await WaitForStartAsync(stoppingToken).ConfigureAwait(false)) return;

        var partitions = _options.Queues
            .SelectMany(q => Enumerable.Range(0, queueOptions.Value.PartitionsPerQueue).Select(p => QueueNames.PartitionKey(q, p)))
            .Select(key => (Grain: grains.GetGrain<ITaskQueueGrain>(key), Key: key))
            .ToList();
        var reporters = partitions.Select(p => new CompletionReporter(p.Grain, WorkerId, time, logger)).ToList();
        var served = string.Join(", ", _options.Queues);
        LogStarted(WorkerId, served, _options.MaxConcurrentTasks);

        var loops = partitions.Select((p, i) => Task.Run(() => LeaseLoopAsync(p.Grain, reporters[i], stoppingToken), CancellationToken.None)).ToList();
        await WhenCancelled(stoppingToken).ConfigureAwait(false);

        // Shutdown: end the long polls at once instead of waiting them out.
        await Task.WhenAll(partitions.Select(p => StopWaitingAsync(p.Grain))).ConfigureAwait(false);
        await Task.WhenAll(loops).ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
        await Task.WhenAll(reporters.Select(r => r.DrainAsync())).ConfigureAwait(false);
        LogStopped(WorkerId);
    }

    private async Task LeaseLoopAsync(ITaskQueueGrain partition, CompletionReporter reporter, CancellationToken stop)
    {
        var idle = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            // An idle loop parks with one slot so other queues keep the rest; a busy one asks for every free slot.
            var reserved = 1;
            if (!idle)
            {
                while (reserved < MaxLeaseBatch && _slots.Wait(0, CancellationToken.None)) reserved++;
            }
            LeasedTask[] leased;
            try
            {
                leased = await partition.LeaseAsync(WorkerId, reserved, _options.PollingInterval).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _slots.Release(reserved);
                if (stop.IsCancellationRequested) break;
                LogLeaseFailed(ex, partition.GetPrimaryKeyString());
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            if (leased.Length < reserved) _slots.Release(reserved - leased.Length);
            idle = leased.Length == 0;
            foreach (var task in leased) Start(task, reporter);
        }
    }

    private void Start(LeasedTask task, CompletionReporter reporter)
    {
        Interlocked.Increment(ref _running);
        // Task.Run: a handler that blocks before its first await must not stall the lease loop.
        _ = Task.Run(async () =>
        {
            try
            {
                var completion = await executor.RunAsync(task, WorkerId, _options.TaskTimeout, _hardStop.Token).ConfigureAwait(false);
                if (!_options.AutoRetry && completion.Outcome is TaskOutcome.Failed failed)
                    completion = completion with { Outcome = failed with { Retryable = false } };
                reporter.Add(completion);
            }
            finally
            {
                _slots.Release();
                if (Interlocked.Decrement(ref _running) == 0) Volatile.Read(ref _idle).TrySetResult();
            }
        });
    }

    private async Task DrainAsync()
    {
        // A fresh signal: the last task to finish from here on completes it.
        Volatile.Write(ref _idle, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Volatile.Read(ref _running) == 0) return;
        var grace = Task.Delay(_options.ShutdownGracePeriod, time);
        if (await Task.WhenAny(_idle.Task, grace).ConfigureAwait(false) == grace)
        {
            LogGraceOver(Volatile.Read(ref _running));
            await _hardStop.CancelAsync().ConfigureAwait(false);
            await _idle.Task.ConfigureAwait(false);
        }
    }

    private async Task StopWaitingAsync(ITaskQueueGrain partition)
    {
        try
        {
            await partition.StopWaitingAsync(WorkerId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogLeaseFailed(ex, partition.GetPrimaryKeyString());
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
        _slots?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} serving {Queues} with {Slots} slots")]
    private partial void LogStarted(string workerId, string queues, int slots);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped")]
    private partial void LogStopped(string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease call to {Partition} failed; retrying in 1 s")]
    private partial void LogLeaseFailed(Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown grace period over with {Running} tasks running; cancelling them")]
    private partial void LogGraceOver(int running);
}
