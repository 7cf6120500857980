namespace DistributedTaskQueue;

/// <summary>The base of every error this library throws on purpose.</summary>
[GenerateSerializer, Alias("dtq.TaskQueueException")]
public class TaskQueueException : Exception
{
    /// <inheritdoc />
    public TaskQueueException() { }
    /// <inheritdoc />
    public TaskQueueException(string message) : base(message) { }
    /// <inheritdoc />
    public TaskQueueException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>Refused at submit: unknown task name, payload too large, bad queue name, bad options. Nothing was enqueued.</summary>
[GenerateSerializer, Alias("dtq.InvalidTaskException")]
public sealed class InvalidTaskException : TaskQueueException
{
    /// <inheritdoc />
    public InvalidTaskException() { }
    /// <inheritdoc />
    public InvalidTaskException(string message) : base(message) { }
    /// <inheritdoc />
    public InvalidTaskException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates the exception for one refused field.</summary>
    public InvalidTaskException(string field, string message) : base(message) => Field = field;

    /// <summary>The refused field (<c>Priority</c>, <c>Payload</c>, <c>RetryPolicy.MaxDelay</c> …), when one field is to blame.</summary>
    [Id(0)] public string? Field { get; init; }
}

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

/// <summary>A wait ran out before the task finished. The task itself goes on.</summary>
[GenerateSerializer, Alias("dtq.TaskTimeoutException")]
public sealed class TaskTimeoutException : TaskQueueException
{
    /// <inheritdoc />
    public TaskTimeoutException() { }
    /// <inheritdoc />
    public TaskTimeoutException(string message) : base(message) { }
    /// <inheritdoc />
    public TaskTimeoutException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The task was cancelled, so it has no result.</summary>
[GenerateSerializer, Alias("dtq.TaskCancelledException")]
public sealed class TaskCancelledException : TaskQueueException
{
    /// <inheritdoc />
    public TaskCancelledException() { }
    /// <inheritdoc />
    public TaskCancelledException(string message) : base(message) { }
    /// <inheritdoc />
    public TaskCancelledException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>No task has that id (never submitted, or expired by retention).</summary>
[GenerateSerializer, Alias("dtq.UnknownTaskException")]
public sealed class UnknownTaskException : TaskQueueException
{
    /// <inheritdoc />
    public UnknownTaskException() { }
    /// <inheritdoc />
    public UnknownTaskException(string message) : base(message) { }
    /// <inheritdoc />
    public UnknownTaskException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The cluster or its Redis cannot be reached; the operation's outcome is unknown unless it says otherwise.</summary>
[GenerateSerializer, Alias("dtq.TaskQueueUnavailableException")]
public sealed class TaskQueueUnavailableException : TaskQueueException
{
    /// <inheritdoc />
    public TaskQueueUnavailableException() { }
    /// <inheritdoc />
    public TaskQueueUnavailableException(string message) : base(message) { }
    /// <inheritdoc />
    public TaskQueueUnavailableException(string message, Exception? inner) : base(message, inner) { }
}
