namespace DistributedTaskQueue;

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
