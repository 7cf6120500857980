namespace DistributedTaskQueue;

public sealed partial class TaskClient
{
    /// <summary>
    /// Every queue that ever held a task (the queue directory) or that a connected worker serves, sorted by name
    /// (ordinal), each with its counts. Writes nothing.
    /// </summary>
    public async Task<IReadOnlyList<QueueSummary>> ListQueuesAsync()
    {
        var (listed, served) = await CallSafely(async () =>
        {
            var directory = _grains.GetGrain<IQueueDirectoryGrain>(0).ListAsync();
            var catalog = _grains.GetGrain<ITaskCatalogGrain>(0).GetQueuesAsync();
            return (await directory.ConfigureAwait(false), await catalog.ConfigureAwait(false));
        }).ConfigureAwait(false);
        var names = listed.Concat(served).Where(QueueNames.IsValid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var stats = await Task.WhenAll(names.Select(GetQueueStatsAsync)).ConfigureAwait(false);
        return names.Select((name, i) => new QueueSummary(name, stats[i])).ToList();
    }

    /// <summary>
    /// Up to <paramref name="limit"/> (1-500) of a queue's tasks in <paramref name="state"/>, over all its partitions,
    /// without payloads: Pending highest priority first and FIFO within one, Running by start time (with the worker),
    /// delayed (<see cref="TaskState.Scheduled"/> or <see cref="TaskState.Retrying"/>: both are listed) by due time. Writes nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Another state, or a limit out of range.</exception>
    public async Task<IReadOnlyList<TaskInfo>> ListTasksAsync(string queue, TaskState state, int limit = 50)
    {
        var name = QueueNames.Validate(queue);
        TaskListing.Check(state, limit);
        var parts = await CallSafely(() => Task.WhenAll(Partitions(name).Select(p => p.ListTasksAsync(state, limit)))).ConfigureAwait(false);
        var all = parts.SelectMany(p => p);
        var ordered = state switch
        {
            // Each partition's list is its line order (a task that came due or is retried joins the back, though submitted
            // earlier): kept as it is, and only across partitions does submit time stand in for it.
            TaskState.Pending => MergeLines(parts),
            TaskState.Running => all.OrderBy(t => t.StartedAt).ThenBy(t => t.Id.Partition).ThenBy(t => t.Id.Sequence),
            _ => all.OrderBy(t => t.NotBefore).ThenBy(t => t.Id.Partition).ThenBy(t => t.Id.Sequence),
        };
        return ordered.Take(limit).ToList();
    }

    /// <summary>Merges partitions' pending lists, each in served order: the head of highest priority, then earliest submitted, goes first.</summary>
    private static IEnumerable<TaskInfo> MergeLines(TaskInfo[][] parts)
    {
        var heads = new int[parts.Length];
        while (true)
        {
            var best = -1;
            for (var p = 0; p < parts.Length; p++)
            {
                if (heads[p] == parts[p].Length) continue;
                if (best < 0 || Before(parts[p][heads[p]], parts[best][heads[best]])) best = p;
            }
            if (best < 0) yield break;
            yield return parts[best][heads[best]++];
        }

        static bool Before(TaskInfo a, TaskInfo b) => a.Priority != b.Priority ? a.Priority > b.Priority : a.EnqueuedAt < b.EnqueuedAt;
    }

    /// <summary>
    /// Cancels every pending and delayed task of a queue (of one task name when given), as <see cref="CancelAsync"/>
    /// cancels one: each ends Cancelled and its waiters are answered. Running tasks are left alone. Returns how many.
    /// </summary>
    public Task<int> PurgeQueueAsync(string queue, string? taskName = null)
    {
        ThrowIfBlankTaskName(taskName, "purge", "every task");
        return SumOverPartitions(queue, p => p.PurgeAsync(taskName));
    }
}
