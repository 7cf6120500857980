namespace DistributedTaskQueue;

/// <summary>
/// Settings shared by silos and clients, bound from the <c>TaskQueue</c> configuration section
/// (<c>TaskQueue:Redis</c>, or the environment variable <c>TaskQueue__Redis</c>, names the Redis server).
/// </summary>
public sealed class TaskQueueOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "TaskQueue";

    /// <summary>StackExchange.Redis connection string; null or empty means the embedded in-memory default (silo) or localhost (client).</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Orleans cluster id: silos and clients of one deployment share it.</summary>
    public string ClusterId { get; set; } = "dtq";

    /// <summary>Orleans service id: the prefix of every durable key, stable across deployments.</summary>
    public string ServiceId { get; set; } = "dtq";

    /// <summary>The queue used when a submit names none.</summary>
    public string DefaultQueue { get; set; } = QueueNames.Default;

    /// <summary>How many partitions each queue has; silos and clients must agree.</summary>
    public int PartitionsPerQueue { get; set; } = 1;

    /// <summary>Largest accepted payload, in bytes of UTF-8 JSON.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>Largest accepted result, in bytes of UTF-8 JSON: a larger one fails its task (not retried), so one handler cannot bloat its queue.</summary>
    public int MaxResultBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a succeeded task's result is kept.</summary>
    public TimeSpan ResultTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a dead-lettered or cancelled task is kept.</summary>
    public TimeSpan FailedTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often finished work past its retention is removed.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Retry policy for tasks that name none.</summary>
    public RetryPolicy DefaultRetry { get; set; } = RetryPolicy.Default;

    /// <summary>
    /// Refuse at submit a task name that no connected worker handles (when every worker can list its names).
    /// Turn off to let tasks wait for handlers that are deployed later.
    /// </summary>
    public bool RefuseUnknownTaskNames { get; set; } = true;

    /// <summary>How long a worker's lease on a running task lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a partition's host died, how long the new activation holds dispatch back so that live workers can renew
    /// (and so keep) tasks they were handed just before, whose leases the dead host never wrote. Must exceed the
    /// workers' heartbeat (<c>TaskQueue:Worker:HeartbeatInterval</c>); at most one lease period is used; not applied
    /// after a clean deactivation.
    /// </summary>
    public TimeSpan FailoverHoldBack { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A soft limit on task records each queue partition keeps in memory. Records of tasks that are only waiting
    /// or already finished stay in Redis beyond it and are read back ahead of dispatch or when asked for, so a
    /// deep backlog or a long result history does not grow silo memory. Running and delayed tasks always stay.
    /// </summary>
    public int MaxResidentTasks { get; set; } = 65_536;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first bad setting (checked at start-up).</summary>
    public void Validate()
    {
        if (!QueueNames.IsValid(DefaultQueue)) throw new InvalidOperationException($"TaskQueue:DefaultQueue '{DefaultQueue}' is not a valid queue name.");
        if (PartitionsPerQueue is < 1 or > 256) throw new InvalidOperationException("TaskQueue:PartitionsPerQueue must be 1..256.");
        if (MaxPayloadBytes is < 1 or > 64 * 1024 * 1024) throw new InvalidOperationException("TaskQueue:MaxPayloadBytes must be 1..67108864.");
        if (MaxResultBytes is < 1 or > 64 * 1024 * 1024) throw new InvalidOperationException("TaskQueue:MaxResultBytes must be 1..67108864.");
        if (ResultTtl <= TimeSpan.Zero || FailedTtl <= TimeSpan.Zero || ResultTtl > TaskRules.MaxHorizon || FailedTtl > TaskRules.MaxHorizon)
            throw new InvalidOperationException($"TaskQueue:ResultTtl and FailedTtl must be positive and at most {TaskRules.MaxHorizon.TotalDays:0} days.");
        if (CleanupInterval <= TimeSpan.Zero || CleanupInterval > TimeSpan.FromDays(1)) throw new InvalidOperationException("TaskQueue:CleanupInterval must be positive and at most a day.");
        if (MaxResidentTasks < 256) throw new InvalidOperationException("TaskQueue:MaxResidentTasks must be at least 256.");
        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration > TimeSpan.FromDays(1)) throw new InvalidOperationException("TaskQueue:LeaseDuration must be 1 s..1 day.");
        if (FailoverHoldBack < TimeSpan.Zero || FailoverHoldBack > TimeSpan.FromHours(1)) throw new InvalidOperationException("TaskQueue:FailoverHoldBack must be 0..1 hour.");
        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId)) throw new InvalidOperationException("TaskQueue:ClusterId and ServiceId must be set.");
        DefaultRetry.Validate();
    }
}
