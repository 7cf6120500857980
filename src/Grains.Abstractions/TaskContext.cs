using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue;

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
