using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Worker;

internal sealed partial class TaskWorker
{
    private static readonly TimeSpan UnregisterWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Tells the cluster's worker directory what this worker serves and how busy it is, every ReportInterval, on a loop of
    /// its own (leasing never waits for it), until the worker has drained; then unregisters. A failed report is retried
    /// at the next interval: the directory drops a worker only after three missed ones.
    /// </summary>
    private async Task ReportUntilStoppedAsync(string workerId, WorkerSlots slots, CancellationToken stop)
    {
        // Shutdown awaits this loop: nothing in it may throw.
        var directory = grains.GetGrain<IWorkerDirectoryGrain>(0);
        var siloAddress = silo.SiloAddress.ToParsableString();
        var queues = _options.Queues.ToArray();
        var startedAt = time.GetUtcNow();
        while (!stop.IsCancellationRequested)
        {
            var report = directory.ReportAsync(new WorkerInfo
            {
                WorkerId = workerId,
                Silo = siloAddress,
                Queues = queues,
                MaxConcurrentTasks = _options.MaxConcurrentTasks,
                Busy = slots.Running,
                Succeeded = metrics.Succeeded,
                Failed = metrics.Failed,
                StartedAt = startedAt,
            }, _options.ReportInterval);
            try
            {
                // A report stuck on an unresponsive directory is abandoned at shutdown instead of holding the silo up.
                await report.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                report.Ignore();
                break;
            }
            catch (Exception ex)
            {
                LogReportFailed(ex);
            }
            try
            {
                await Task.Delay(_options.ReportInterval, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        try
        {
            // Bounded likewise: if it does not arrive, the entry goes once membership declares this silo dead.
            await directory.UnregisterAsync(workerId).WaitAsync(UnregisterWait, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogReportFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not report to the worker directory; retrying at the next interval")]
    private partial void LogReportFailed(Exception exception);
}
