namespace DistributedTaskQueue;

/// <summary>
/// One schedule (key: its name). Upsert semantics: scheduling again under the same name replaces the definition,
/// recomputes the next run and keeps the history and counts. An Orleans reminder keeps the grain alive; a grain
/// timer armed for the exact next occurrence fires it, with the idempotency key
/// <c>{name}:{occurrenceUtc:O}:{incarnation}</c> (<see cref="ScheduleInfo.Incarnation"/>).
/// </summary>
[Alias("dtq.IScheduleGrain")]
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the schedule; throws <see cref="InvalidScheduleException"/> (nothing stored) when anything is invalid.</summary>
    [Alias("Upsert")]
    Task<ScheduleInfo> UpsertAsync(ScheduleDefinition definition);

    /// <summary>The schedule's snapshot, or null when there is no such schedule.</summary>
    [Alias("Get")]
    Task<ScheduleInfo?> GetAsync();

    /// <summary>Stops firing until resumed; false when there is no such schedule.</summary>
    [Alias("Pause")]
    Task<bool> PauseAsync();

    /// <summary>Fires again from now on (occurrences that came while paused are not fired); false when there is no such schedule.</summary>
    [Alias("Resume")]
    Task<bool> ResumeAsync();

    /// <summary>Submits the task at once (even when paused), with the key <c>{name}:{utc:O}:manual:{incarnation}</c>; null when there is no such schedule.</summary>
    [Alias("Trigger")]
    Task<TaskId?> TriggerAsync();

    /// <summary>Deletes the schedule: its reminder, its state and its directory entry. False when there was none.</summary>
    [Alias("Remove")]
    Task<bool> RemoveAsync();
}
