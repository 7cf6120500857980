namespace DistributedTaskQueue.Execution;

/// <summary>A payload that cannot become the handler's input: retrying cannot help.</summary>
internal sealed class TaskPayloadException(string message, Exception? inner = null) : Exception(message, inner);
