namespace DistributedTaskQueue;

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
