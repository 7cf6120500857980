using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Worker;

/// <summary>
/// Reports finished attempts to one partition in batches: whatever finished while the previous report was
/// in flight goes in the next, so acks cost one grain call per batch rather than per task.
/// </summary>
internal sealed partial class CompletionReporter
{
    private const int MaxBatch = 1024;

    /// <summary>
    /// About the most bytes one report carries. Results may each be up to TaskQueue:MaxResultBytes (1 MiB by default), and
    /// completions pile up while a partition moves: a batch of them over Orleans' message body limit (100 MB) failed
    /// every time, was dropped whole after its retries, and all its tasks ran again.
    /// </summary>
    internal const long MaxBatchBytes = 16 * 1024 * 1024;
    private readonly ITaskQueueGrain _grain;
    private readonly string _workerId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<TaskCompletion> _channel = Channel.CreateUnbounded<TaskCompletion>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public CompletionReporter(ITaskQueueGrain partition, string workerId, TimeProvider time, ILogger logger)
    {
        _grain = partition;
        _workerId = workerId;
        _time = time;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Add(TaskCompletion completion) => _channel.Writer.TryWrite(completion);

    /// <summary>Reports what is queued, then stops.</summary>
    public Task DrainAsync()
    {
        _channel.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<TaskCompletion>(64);
        // The completion that did not fit in the previous batch: it opens the next one.
        TaskCompletion? carried = null;
        while (carried is not null || await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var bytes = 0L;
            if (carried is not null)
            {
                batch.Add(carried);
                bytes = SizeOf(carried);
                carried = null;
            }
            while (batch.Count < MaxBatch && _channel.Reader.TryRead(out var completion))
            {
                var size = SizeOf(completion);
                if (batch.Count > 0 && bytes + size > MaxBatchBytes)
                {
                    carried = completion;
                    break;
                }
                batch.Add(completion);
                bytes += size;
            }
            await ReportAsync([.. batch]).ConfigureAwait(false);
        }
    }

    /// <summary>Roughly what a completion weighs in a message: its result, or its error's text.</summary>
    private static long SizeOf(TaskCompletion completion) => 64 + completion.Outcome switch
    {
        TaskOutcome.Succeeded succeeded => succeeded.Result?.Length ?? 0,
        TaskOutcome.Failed failed => 2L * ((failed.Error?.Message?.Length ?? 0) + (failed.Error?.StackTrace?.Length ?? 0) + (failed.Error?.Type?.Length ?? 0)),
        _ => 0,
    };

    private async Task ReportAsync(TaskCompletion[] batch)
    {
        // A lost report only means the tasks run again (at-least-once). Retrying for about a minute rides out
        // a partition failover (death detection plus reactivation), after which the lease hold-back has ended anyway.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _grain.CompleteAsync(_workerId, batch).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < 30)
            {
                LogReportRetry(ex, batch.Length, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * attempt, 2000)), _time).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogReportFailed(ex, batch.Length);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting {Count} completions failed (attempt {Attempt}); retrying")]
    private partial void LogReportRetry(Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up reporting {Count} completions; those tasks run again when their leases expire")]
    private partial void LogReportFailed(Exception exception, int count);
}
