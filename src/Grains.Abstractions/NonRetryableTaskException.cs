namespace DistributedTaskQueue;

/// <summary>Thrown by a handler to fail the task at once, without retries.</summary>
public sealed class NonRetryableTaskException : Exception
{
    /// <inheritdoc />
    public NonRetryableTaskException() { }
    /// <inheritdoc />
    public NonRetryableTaskException(string message) : base(message) { }
    /// <inheritdoc />
    public NonRetryableTaskException(string message, Exception? inner) : base(message, inner) { }
}
