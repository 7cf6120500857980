namespace DistributedTaskQueue.Queue;

/// <summary>
/// Told of every task transition the partition model applies, so they can be counted (<see cref="TaskMetrics"/>)
/// while the model itself stays free of instruments and testable on its own.
/// </summary>
internal interface ITaskTransitions
{
    /// <summary>A submit was written and is visible to workers.</summary>
    void Submitted(string queue, TaskRecord record);

    /// <summary><paramref name="record"/> moved from <paramref name="from"/> to its current state at <paramref name="now"/>.</summary>
    void Moved(string queue, TaskRecord record, TaskState from, DateTimeOffset now);

    /// <summary>A completion arrived for a lease that is no longer current (the task was re-run or finished elsewhere).</summary>
    void StaleCompletion(string queue);
}
