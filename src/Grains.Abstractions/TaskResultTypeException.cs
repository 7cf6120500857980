namespace DistributedTaskQueue;

/// <summary>A task's stored result cannot be read as the type the caller asked for; names the task and both types.</summary>
[GenerateSerializer, Alias("dtq.TaskResultTypeException")]
public sealed class TaskResultTypeException : TaskQueueException
{
    /// <inheritdoc />
    public TaskResultTypeException() { }
    /// <inheritdoc />
    public TaskResultTypeException(string message) : base(message) { }
    /// <inheritdoc />
    public TaskResultTypeException(string message, Exception? inner) : base(message, inner) { }
}
