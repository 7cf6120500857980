namespace DistributedTaskQueue;

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
