namespace DistributedTaskQueue;

/// <summary>Counts for one queue, summed over its partitions.</summary>
[GenerateSerializer, Immutable, Alias("dtq.QueueStats")]
public sealed record QueueStats
{
    /// <summary>The queue.</summary>
    [Id(0)] public required string Queue { get; init; }

    /// <summary>Pending tasks of Low, Normal, High and Critical priority, indexed by <see cref="TaskPriority"/>.</summary>
    [Id(1)] public IReadOnlyList<long> PendingByPriority { get; init; } = [0, 0, 0, 0];

    /// <summary>Tasks waiting for a not-before time or a retry backoff.</summary>
    [Id(2)] public long Delayed { get; init; }

    /// <summary>Tasks leased by workers now.</summary>
    [Id(3)] public long Running { get; init; }

    /// <summary>Tasks that succeeded (since the queue was created).</summary>
    [Id(4)] public long Succeeded { get; init; }

    /// <summary>Failed attempts, retried or not (since the queue was created).</summary>
    [Id(5)] public long Failed { get; init; }

    /// <summary>Dead letters held now (retried and purged ones leave this count).</summary>
    [Id(6)] public long DeadLettered { get; init; }

    /// <summary>Tasks that ended cancelled.</summary>
    [Id(7)] public long Cancelled { get; init; }

    /// <summary>Whether workers are held off this queue.</summary>
    [Id(8)] public bool Paused { get; init; }

    /// <summary>Completions rejected because their attempt was stale (a zombie worker reported after its lease was lost), since activation.</summary>
    [Id(9)] public long StaleCompletions { get; init; }

    /// <summary>
    /// Task record slots the owning silos hold in memory now (whole segments of 64); the others live only in Redis
    /// until dispatch or a call needs them. Bounded by <c>TaskQueue:MaxResidentTasks</c> plus running and delayed work.
    /// </summary>
    [Id(10)] public long ResidentTasks { get; init; }

    /// <summary>
    /// When the longest-waiting pending task became runnable (submitted, or due); null when nothing is pending. Over
    /// several partitions, the earliest.
    /// </summary>
    [Id(11)] public DateTimeOffset? OldestPendingSince { get; init; }

    /// <summary>
    /// Throughput over the last 10 minutes: 60 buckets of 10 s, oldest first, ending with the one now filling. Held in the
    /// partitions' memory only: a partition activated again (a restart, a failover) starts an empty history.
    /// </summary>
    [Id(12)] public IReadOnlyList<ThroughputBucket> Recent { get; init; } = [];

    /// <summary>All pending tasks, whatever their priority.</summary>
    public long Pending => PendingByPriority.Sum();

    /// <summary>Pending tasks of one priority.</summary>
    public long PendingOf(TaskPriority priority) => PendingByPriority[(int)priority];

    /// <summary>Adds the counts of two partitions of the same queue.</summary>
    public QueueStats Add(QueueStats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with
        {
            PendingByPriority = PendingByPriority.Zip(other.PendingByPriority, (a, b) => a + b).ToArray(),
            Delayed = Delayed + other.Delayed,
            Running = Running + other.Running,
            Succeeded = Succeeded + other.Succeeded,
            Failed = Failed + other.Failed,
            DeadLettered = DeadLettered + other.DeadLettered,
            Cancelled = Cancelled + other.Cancelled,
            Paused = Paused || other.Paused,
            StaleCompletions = StaleCompletions + other.StaleCompletions,
            ResidentTasks = ResidentTasks + other.ResidentTasks,
            OldestPendingSince = Earliest(OldestPendingSince, other.OldestPendingSince),
            Recent = ThroughputBucket.Merge(Recent, other.Recent),
        };
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
