namespace DistributedTaskQueue.Queue;

/// <summary>
/// The whole lifecycle as one table. Every state change of a record goes through <see cref="Move"/>,
/// so an illegal transition is a bug that throws, never a silent corruption.
/// </summary>
/// <remarks>
/// Pending   -> Running (leased), Cancelled, DeadLettered (expired before start)
/// Scheduled -> Pending (not-before reached), Cancelled
/// Running   -> Succeeded, Retrying (failed, attempts left), DeadLettered (failed, none left), Cancelled, Pending (lease lost)
/// Retrying  -> Pending (backoff over), Cancelled
/// Succeeded, DeadLettered, Cancelled: finished (DeadLettered -> Pending only by an explicit dead-letter retry).
/// </remarks>
internal static class TaskLifecycle
{
    private static readonly HashSet<(TaskState From, TaskState To)> Legal =
    [
        (TaskState.Pending, TaskState.Running),
        (TaskState.Pending, TaskState.Cancelled),
        (TaskState.Pending, TaskState.DeadLettered),
        (TaskState.Scheduled, TaskState.Pending),
        (TaskState.Scheduled, TaskState.Cancelled),
        (TaskState.Running, TaskState.Succeeded),
        (TaskState.Running, TaskState.Retrying),
        (TaskState.Running, TaskState.DeadLettered),
        (TaskState.Running, TaskState.Cancelled),
        (TaskState.Running, TaskState.Pending),
        (TaskState.Retrying, TaskState.Pending),
        (TaskState.Retrying, TaskState.Cancelled),
        (TaskState.DeadLettered, TaskState.Pending),
    ];

    public static bool CanMove(TaskState from, TaskState to) => Legal.Contains((from, to));

    public static void Move(TaskRecord record, TaskState to)
    {
        if (!CanMove(record.State, to))
            throw new InvalidOperationException($"Task {record.Sequence}: illegal transition {record.State} -> {to}.");
        record.State = to;
    }
}
