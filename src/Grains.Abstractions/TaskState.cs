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

/// <summary>Helpers on <see cref="TaskState"/>.</summary>
public static class TaskStateExtensions
{
    /// <summary>
    /// True once a task has ended: no attempt runs again on its own, and waiters are answered. Not "never leaves": an
    /// operator may retry a dead letter, which puts it back in line.
    /// </summary>
    public static bool IsFinished(this TaskState state) =>
        state is TaskState.Succeeded or TaskState.DeadLettered or TaskState.Cancelled;
}
