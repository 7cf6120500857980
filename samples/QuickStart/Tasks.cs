// The tasks of the original design's examples, as records: the record is the payload, the name is stable.
using DistributedTaskQueue;

namespace QuickStart;

[TaskName("EmailTask")]
public sealed record EmailTask(string To, string Subject, string Body) : ITask<string>;

public sealed record ProcessImageTask(string ImageUrl, string[] Filters) : ITask<string>;

[TaskDefaults(Priority = TaskPriority.Critical, MaxRetries = 5, RetryDelaySeconds = 10, ExponentialBackoff = true, MaxDelaySeconds = 300)]
public sealed record UrgentTask(string Incident) : ITask<string>;

/// <summary>Sends an email (here: pretends to, after a short I/O-like wait).</summary>
public sealed class EmailTaskHandler(TimeProvider time) : ITaskHandler<EmailTask, string>
{
    public async Task<string> HandleAsync(EmailTask task, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        return $"Email sent to {task.To}";
    }
}

public sealed class ProcessImageTaskHandler : ITaskHandler<ProcessImageTask, string>
{
    public Task<string> HandleAsync(ProcessImageTask task, TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult($"Processed image: {task.ImageUrl} ({string.Join(", ", task.Filters)})");
}

public sealed class UrgentTaskHandler : ITaskHandler<UrgentTask, string>
{
    public Task<string> HandleAsync(UrgentTask task, TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult($"Handled incident {task.Incident} on attempt {context.Attempt}");
}
