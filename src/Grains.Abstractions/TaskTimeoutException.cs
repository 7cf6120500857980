namespace DistributedTaskQueue;

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
