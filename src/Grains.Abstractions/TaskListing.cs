namespace DistributedTaskQueue;

/// <summary>
/// What a listing of a queue's tasks by state accepts: Pending, Running, or delayed (Scheduled and Retrying are listed
/// together, by due time). The client checks it early, the partition for sure.
/// </summary>
public static class TaskListing
{
    /// <summary>Most tasks one listing returns.</summary>
    public const int MaxLimit = 500;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a state not listed (Retrying counts as delayed) or a limit outside 1-<see cref="MaxLimit"/>.</summary>
    public static void Check(TaskState state, int limit)
    {
        if (state is not (TaskState.Pending or TaskState.Running or TaskState.Scheduled or TaskState.Retrying))
            throw new ArgumentOutOfRangeException(nameof(state), state, $"Only pending, running and delayed tasks are listed, not {state}: look a finished task up by id, and list dead letters with the dead-letter calls.");
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
    }
}
