namespace DistributedTaskQueue;

/// <summary>
/// How a silo's queue partitions keep and hand out tasks: leases, retention, memory and what they accept. Silo only
/// (clients never read these); bound from the same <c>TaskQueue</c> section as <see cref="TaskQueueOptions"/>, so the
/// keys are <c>TaskQueue:LeaseDuration</c>, <c>TaskQueue:ResultTtl</c> and so on.
/// </summary>
public sealed class PartitionOptions
{
    /// <summary>Largest accepted result, in bytes of UTF-8 JSON: a larger one fails its task (not retried), so one handler cannot bloat its queue.</summary>
    public int MaxResultBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a succeeded task's result is kept.</summary>
    public TimeSpan ResultTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a dead-lettered or cancelled task is kept.</summary>
    public TimeSpan FailedTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often finished work past its retention is removed.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Refuse at submit a task name that no connected worker handles (when every worker can list its names).
    /// Turn off to let tasks wait for handlers that are deployed later.
    /// </summary>
    public bool RefuseUnknownTaskNames { get; set; } = true;

    /// <summary>How long a worker's lease on a running task lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a partition's host died, how long the new activation holds dispatch back so that live workers can renew
    /// (and so keep) tasks they were handed just before, whose leases the dead host never wrote. At least the workers'
    /// heartbeat (<c>TaskQueue:Worker:HeartbeatInterval</c>) + 0.5 s, or 0; at most one lease period is used; not applied
    /// after a clean deactivation, nor with in-memory storage (nothing survives a restart there).
    /// </summary>
    public TimeSpan FailoverHoldBack { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A soft limit on task records each queue partition keeps in memory. Records of tasks that are only waiting
    /// or already finished stay in Redis beyond it and are read back ahead of dispatch or when asked for, so a
    /// deep backlog or a long result history does not grow silo memory. Running and delayed tasks always stay.
    /// </summary>
    public int MaxResidentTasks { get; set; } = 65_536;

    /// <summary>
    /// How long a partition remembers the token of each submit, so a client retrying a submit whose outcome it did not
    /// learn gets the first task's id back instead of a second task. Must exceed the clients' <c>TaskQueue:SubmitTimeout</c>
    /// (30 s by default; a silo refuses a window not longer than it). Memory: about 95 bytes a submit within the window, capped at
    /// 1,000,000 per partition (beyond that, the oldest are forgotten sooner).
    /// </summary>
    public TimeSpan SubmitDedupeWindow { get; set; } = TimeSpan.FromMinutes(1);
}
