using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A purge by a task name that the cold backlog does not hold reads every cold segment back and cancels nothing, so
/// no write follows to evict them: the purge itself must keep memory within the budget, not the next housekeeping tick.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PurgeMemoryTests(RedisFixture fixture)
{
    private const int Budget = 512;

    [Fact]
    public async Task APurgeByANameTheColdBacklogLacks_KeepsMemoryWithinTheBudget_WhileAndAfterItRuns()
    {
        const string queue = "purge-nomatch";
        const int tasks = 30_000;
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: Guid.NewGuid().ToString("N"),
            configure: (_, settings) => settings.Partitions.MaxResidentTasks = Budget);
        var client = cluster.Client;
        for (var batch = 0; batch < tasks / 500; batch++)
            await client.SubmitBatchAsync(Enumerable.Range(0, 500).Select(i => new RecordTask($"p{(batch * 500) + i}")), queue);
        Assert.InRange((await client.GetQueueStatsAsync(queue)).ResidentTasks, 1, Budget * 4);

        long peak = 0;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) peak = Math.Max(peak, (await client.GetQueueStatsAsync(queue)).ResidentTasks);
        });
        Assert.Equal(0, await client.PurgeQueueAsync(queue, "test.nothing-of-this-name"));
        peak = Math.Max(peak, (await client.GetQueueStatsAsync(queue)).ResidentTasks);
        await stop.CancelAsync();
        await watch;

        // The budget plus what one round reads back (ColdChunk segments) and the segments kept near the fronts.
        Assert.InRange(peak, 1, Budget + (Queue.PartitionPurge.ColdChunk * 64 * 2));
        Assert.Equal(tasks, (await client.GetQueueStatsAsync(queue)).Pending);
    }
}
