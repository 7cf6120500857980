using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Queue;

internal sealed partial class TaskQueueGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Queue partition {Partition} activated with {Pending} pending, {Delayed} delayed and {HeldBack} running tasks held back for their workers to reclaim")]
    private partial void LogActivated(string partition, long pending, long delayed, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redelivered {Count} tasks leased by dead silos {Silos}")]
    private partial void LogReleasedDeadWorkers(int count, string silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a stale completion from worker {WorkerId} for task {Sequence} attempt {Attempt}")]
    private partial void LogStaleCompletion(string workerId, long sequence, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing queue partition {Partition} failed; deactivating to reload from storage")]
    private partial void LogWriteFailed(Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not add queue {Queue} to the queue directory; trying again at the next submit")]
    private partial void LogDirectoryFailed(Exception exception, string queue);
}
