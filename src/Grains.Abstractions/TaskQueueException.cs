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
