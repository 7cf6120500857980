using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Schedules;

internal sealed partial class ScheduleGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule '{Name}' {Verb}: {Kind} on queue {Queue}")]
    private partial void LogUpserted(string name, string verb, ScheduleKind kind, string queue);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule '{Name}' fired occurrence {Occurrence} as task {TaskId}, {LateMilliseconds} ms after it was due")]
    private partial void LogFired(string name, DateTimeOffset occurrence, TaskId taskId, double lateMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule '{Name}' missed {Missed} occurrences (misfire policy {Policy}): fired {Fired}, skipped {Skipped}")]
    private partial void LogMissed(string name, long missed, string policy, int fired, long skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule '{Name}' skipped occurrence {Occurrence}: its previous task {TaskId} is still pending or running")]
    private partial void LogSkippedOverlap(string name, DateTimeOffset occurrence, TaskId? taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule '{Name}': the queue refused the task of occurrence {Occurrence}; it is skipped")]
    private partial void LogRefused(Exception exception, string name, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule '{Name}' could not fire (try {Failures}); it tries again shortly with the same idempotency keys")]
    private partial void LogFireFailed(Exception exception, string name, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule '{Name}' triggered by hand as task {TaskId}")]
    private partial void LogTriggered(string name, TaskId taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule '{Name}' removed")]
    private partial void LogRemoved(string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule '{Name}' cannot compute its occurrences on this silo; it does not fire here")]
    private partial void LogCannotCompute(Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule '{Name}' could not register with the schedule directory; it fires, but may be missing from listings until its next activation")]
    private partial void LogDirectoryFailed(Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule '{Name}': the state of its last task {TaskId} could not be read")]
    private partial void LogTaskStateUnavailable(Exception exception, string name, TaskId taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The task catalog could not be read; accepting the schedule's task name unchecked")]
    private partial void LogCatalogUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing schedule '{Name}' failed; deactivating to reload from storage")]
    private partial void LogWriteFailed(Exception exception, string name);
}
