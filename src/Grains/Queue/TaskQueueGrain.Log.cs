using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Queue;

internal sealed partial class TaskQueueGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Queue partition {Partition} activated with {Pending} pending and {Delayed} delayed tasks")]
    private partial void LogActivated(string partition, long pending, long delayed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a stale completion from worker {WorkerId} for task {Sequence} attempt {Attempt}")]
    private partial void LogStaleCompletion(string workerId, long sequence, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing queue partition {Partition} failed; deactivating to reload from storage")]
    private partial void LogWriteFailed(Exception exception, string partition);
}
