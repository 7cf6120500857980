using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue;

/// <summary>Runs tasks of one type on the silos. Resolved from DI, so it may take any service.</summary>
public interface ITaskHandler<in TTask, TResult> where TTask : ITask<TResult>
{
    /// <summary>Runs one attempt. Throw to fail it; honour <paramref name="cancellationToken"/> (timeout, cancel, shutdown).</summary>
    Task<TResult> HandleAsync(TTask task, TaskContext context, CancellationToken cancellationToken);
}

/// <summary>Runs tasks by name with JSON in and JSON out: one handler for many task names.</summary>
public interface IRawTaskHandler
{
    /// <summary>Whether this handler takes tasks of that name.</summary>
    bool CanHandle(string taskName);

    /// <summary>
    /// Every name <see cref="CanHandle"/> accepts, when the handler can list them; null (the default) means
    /// open-ended, and then the cluster cannot refuse unknown task names at submit.
    /// </summary>
    IReadOnlyCollection<string>? TaskNames => null;

    /// <summary>Runs one attempt and returns the result as JSON.</summary>
    Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken);
}

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

/// <summary>What a handler knows about the attempt it runs.</summary>
public sealed class TaskContext
{
    /// <summary>The task's id: its idempotency key for side effects.</summary>
    public required TaskId TaskId { get; init; }

    /// <summary>The task's name.</summary>
    public required string TaskName { get; init; }

    /// <summary>1 for the first attempt; also the attempt's fencing token.</summary>
    public required int Attempt { get; init; }

    /// <summary>The queue it came from.</summary>
    public string Queue => TaskId.Queue;

    /// <summary>When it was submitted.</summary>
    public required DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>The worker (silo) running it.</summary>
    public required string WorkerId { get; init; }

    /// <summary>A logger scoped to this task.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>Reports progress (0 to 1) for observers; optional.</summary>
    public IProgress<double> Progress { get; init; } = new Progress<double>();
}
