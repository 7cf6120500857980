namespace DistributedTaskQueue;

/// <summary>The task's handler failed for good (retries exhausted or not retryable).</summary>
[GenerateSerializer, Alias("dtq.TaskExecutionException")]
public sealed class TaskExecutionException : TaskQueueException
{
    /// <inheritdoc />
    public TaskExecutionException() { }
    /// <inheritdoc />
    public TaskExecutionException(string message) : base(message) { }
    /// <inheritdoc />
    public TaskExecutionException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates the exception for a dead-lettered task.</summary>
    public TaskExecutionException(TaskId taskId, TaskError? error)
        : base($"Task {taskId} failed: {error?.Message ?? "no error recorded"}")
    {
        TaskId = taskId;
        Error = error;
    }

    /// <summary>The task that failed.</summary>
    [Id(0)] public TaskId? TaskId { get; init; }

    /// <summary>The last attempt's error.</summary>
    [Id(1)] public TaskError? Error { get; init; }
}
