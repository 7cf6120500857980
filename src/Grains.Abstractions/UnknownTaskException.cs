namespace DistributedTaskQueue;

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
