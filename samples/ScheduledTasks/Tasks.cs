// The tasks of the original scheduled_tasks example, as records (the record is the payload, the name is stable),
// and their handlers, which only pretend to do the work.
using DistributedTaskQueue;

namespace ScheduledTasks;

[TaskName("BackupTask")]
public sealed record BackupTask(string Database) : ITask<string>;

[TaskName("HealthCheckTask")]
public sealed record HealthCheckTask(string Service) : ITask<string>;

[TaskName("CleanupTask")]
public sealed record CleanupTask(int OlderThanDays) : ITask<string>;

[TaskName("ReportTask")]
public sealed record ReportTask(string Report) : ITask<string>;

public sealed class BackupTaskHandler : ITaskHandler<BackupTask, string>
{
    public Task<string> HandleAsync(BackupTask task, TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult($"Backed up {task.Database}");
}

public sealed class HealthCheckTaskHandler : ITaskHandler<HealthCheckTask, string>
{
    public Task<string> HandleAsync(HealthCheckTask task, TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult($"{task.Service} is healthy (task {context.TaskId})");
}

public sealed class CleanupTaskHandler : ITaskHandler<CleanupTask, string>
{
    public Task<string> HandleAsync(CleanupTask task, TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult($"Removed files older than {task.OlderThanDays} days");
}

public sealed class ReportTaskHandler : ITaskHandler<ReportTask, string>
{
    public Task<string> HandleAsync(ReportTask task, TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult($"Report '{task.Report}' sent");
}
