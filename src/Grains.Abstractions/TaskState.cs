namespace DistributedTaskQueue;

/// <summary>
/// Where a task is in its lifecycle. Named <c>TaskState</c> rather than <c>TaskStatus</c> so it never
/// collides with <see cref="System.Threading.Tasks.TaskStatus"/> under implicit usings.
/// </summary>
public enum TaskState
{
    /// <summary>Waiting for a worker.</summary>
    Pending = 0,

    /// <summary>Waiting for its not-before time (a delayed submit).</summary>
    Scheduled = 1,

    /// <summary>Leased by a worker and running.</summary>
    Running = 2,

    /// <summary>An attempt failed; waiting out its backoff before it is pending again.</summary>
    Retrying = 3,

    /// <summary>Finished with a result.</summary>
    Succeeded = 4,

    /// <summary>Failed for good: retries exhausted, not retryable, or undeliverable. Finished, until an operator retries it.</summary>
    DeadLettered = 5,

    /// <summary>Cancelled before it finished.</summary>
    Cancelled = 6,
}
