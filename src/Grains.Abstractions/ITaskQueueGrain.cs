namespace DistributedTaskQueue;

/// <summary>
/// One partition of a queue (key: <c>queue:partition</c>). It owns its tasks end to end: their records,
/// the pending order per priority, the delayed index, the leases and the counters. Every mutation is
/// acknowledged only after the write that carries it (group commit).
/// </summary>
[Alias("dtq.ITaskQueueGrain")]
public interface ITaskQueueGrain : IGrainWithStringKey
{
    /// <summary>Accepts tasks; returns their ids in order once they are durably written.</summary>
    [Alias("Submit")]
    Task<TaskId[]> SubmitAsync(TaskSubmission[] tasks);

    /// <summary>
    /// Leases up to <paramref name="max"/> tasks to a worker, highest priority first, FIFO within one.
    /// Returns at once when any are pending, else waits up to <paramref name="wait"/> for some (long poll).
    /// </summary>
    /// <param name="workerId">The worker's id: its silo's address, optionally prefixed with a name and '@'.</param>
    /// <param name="requestId">
    /// The worker's number for this request. A worker whose call failed retries with the same number and gets
    /// the same tasks back: a reply lost with a failing silo does not strand its tasks until their leases expire.
    /// </param>
    /// <param name="max">How many tasks it has free slots for.</param>
    /// <param name="wait">How long to wait for work when none is pending.</param>
    /// <param name="holder">Where the partition tells this worker to stop a running task (cancel); refreshed by every call.</param>
    [Alias("Lease")]
    Task<LeasedTask[]> LeaseAsync(string workerId, long requestId, int max, TimeSpan wait, ILeaseHolder? holder);

    /// <summary>Records finished attempts; returns once they are durably written. Stale attempts are ignored.</summary>
    [Alias("Complete")]
    Task CompleteAsync(string workerId, TaskCompletion[] completions);

    /// <summary>
    /// Extends the leases of tasks the worker still runs. Returns the leases it no longer holds (expired and
    /// re-leased, or finished): those attempts are stale, their completions will be rejected, and the worker should stop them.
    /// </summary>
    [Alias("Renew")]
    Task<LeaseToken[]> RenewAsync(string workerId, LeaseToken[] leases);

    /// <summary>Ends the worker's waiting lease calls at once (it is shutting down).</summary>
    [Alias("StopWaiting")]
    Task StopWaitingAsync(string workerId);

    /// <summary>The task's snapshot with its payload, or null when the partition has no such task.</summary>
    [Alias("GetTask")]
    Task<TaskInfo?> GetTaskAsync(long sequence);

    /// <summary>Returns when the task has finished or after <paramref name="wait"/>, with its snapshot then (null if unknown).</summary>
    [Alias("Wait")]
    Task<TaskInfo?> WaitAsync(long sequence, TimeSpan wait);

    /// <summary>The partition's counts.</summary>
    [Alias("GetStats")]
    Task<QueueStats> GetStatsAsync();

    /// <summary>
    /// Cancels a waiting task at once, or fires a running task's cancellation token on the worker running it
    /// (it ends Cancelled when that attempt ends). False when the task is unknown or already finished.
    /// </summary>
    [Alias("Cancel")]
    Task<bool> CancelAsync(long sequence);

    /// <summary>Dead letters in sequence order after <paramref name="after"/> (use -1 to start), at most <paramref name="limit"/>.</summary>
    [Alias("ListDeadLetters")]
    Task<TaskInfo[]> ListDeadLettersAsync(long after, int limit);

    /// <summary>Puts dead letters back in line with a fresh retry budget: the given ones, or all (of one task name when given). Returns how many.</summary>
    [Alias("RetryDeadLetters")]
    Task<int> RetryDeadLettersAsync(long[]? sequences, string? taskName);

    /// <summary>Deletes dead letters for good: the given ones, or all (of one task name when given). Returns how many.</summary>
    [Alias("PurgeDeadLetters")]
    Task<int> PurgeDeadLettersAsync(long[]? sequences, string? taskName);

    /// <summary>Holds workers off (or lets them back onto) this partition; submits are still accepted.</summary>
    [Alias("SetPaused")]
    Task SetPausedAsync(bool paused);

    /// <summary>
    /// Up to <paramref name="limit"/> (1-<see cref="TaskListing.MaxLimit"/>) waiting or running tasks, without payloads:
    /// Pending in dispatch order (highest priority first, FIFO within one), Running by start time, Scheduled (or
    /// Retrying: both are delayed) by due time. Reads segments back from storage when it must, never writes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Another state, or a limit out of range.</exception>
    [Alias("ListTasks")]
    Task<TaskInfo[]> ListTasksAsync(TaskState state, int limit);

    /// <summary>
    /// Cancels every pending and delayed task (of one task name when given) as a cancel does, in bounded chunks, each
    /// written before the next; running tasks are left alone. Returns how many it cancelled.
    /// </summary>
    [Alias("Purge")]
    Task<int> PurgeAsync(string? taskName);
}
