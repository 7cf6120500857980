namespace DistributedTaskQueue;

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
