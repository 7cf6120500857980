namespace DistributedTaskQueue;

public sealed partial class TaskClient
{
    /// <summary>
    /// Cancels a task from anywhere: a waiting task ends Cancelled at once; a running task's cancellation
    /// token fires on the silo running it and it ends Cancelled when that attempt ends. False when the task
    /// is unknown or already finished.
    /// </summary>
    public Task<bool> CancelAsync(TaskId id) => Call(() => Owner(id).CancelAsync(id.Sequence));

    /// <summary>Dead letters of a queue (oldest first, over all partitions), each with its errors.</summary>
    public async Task<IReadOnlyList<TaskInfo>> ListDeadLettersAsync(string queue, int limit = 100)
    {
        var name = QueueNames.Validate(queue);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var parts = await CallSafely(() => Task.WhenAll(Partitions(name).Select(p => p.ListDeadLettersAsync(-1, limit)))).ConfigureAwait(false);
        return parts.SelectMany(p => p).OrderBy(t => t.FinishedAt).Take(limit).ToList();
    }

    /// <summary>Puts one dead letter back in line with a fresh retry budget; false when it is not a dead letter.</summary>
    public async Task<bool> RetryDeadLetterAsync(TaskId id) =>
        await Call(() => Owner(id).RetryDeadLettersAsync([id.Sequence], null)).ConfigureAwait(false) == 1;

    /// <summary>Deletes one dead letter for good; false when it is not a dead letter.</summary>
    public async Task<bool> DeleteDeadLetterAsync(TaskId id) =>
        await Call(() => Owner(id).PurgeDeadLettersAsync([id.Sequence], null)).ConfigureAwait(false) == 1;

    /// <summary>Puts a queue's dead letters (all, or those of one task name) back in line; returns how many.</summary>
    /// <exception cref="ArgumentException">The task name is given but blank.</exception>
    public Task<int> RetryDeadLettersAsync(string queue, string? taskName = null)
    {
        ThrowIfBlankTaskName(taskName, "retry dead letters", "every dead letter");
        return SumOverPartitions(queue, p => p.RetryDeadLettersAsync(null, taskName));
    }

    /// <summary>Deletes a queue's dead letters (all, or those of one task name) for good; returns how many.</summary>
    /// <exception cref="ArgumentException">The task name is given but blank.</exception>
    public Task<int> PurgeDeadLettersAsync(string queue, string? taskName = null)
    {
        ThrowIfBlankTaskName(taskName, "purge dead letters", "every dead letter");
        return SumOverPartitions(queue, p => p.PurgeDeadLettersAsync(null, taskName));
    }

    // For every verb that takes an optional task name (purge, dead-letter retry and purge): an empty name is a mistake
    // (a flag or form field left blank), not "all" and not "none", so it is refused with what to do instead.
    private static void ThrowIfBlankTaskName(string? taskName, string verb, string all)
    {
        if (taskName is not null && string.IsNullOrWhiteSpace(taskName))
            throw new ArgumentException($"A task name to {verb} by must not be empty; leave it out for {all}.", nameof(taskName));
    }

    private async Task<int> SumOverPartitions(string queue, Func<ITaskQueueGrain, Task<int>> call)
    {
        var name = QueueNames.Validate(queue);
        var counts = await Call(() => Task.WhenAll(Partitions(name).Select(call))).ConfigureAwait(false);
        return counts.Sum();
    }

    private IEnumerable<ITaskQueueGrain> Partitions(string queue) =>
        Enumerable.Range(0, _options.PartitionsPerQueue).Select(p => Partition(queue, p));
}
