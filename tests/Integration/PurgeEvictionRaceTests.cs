using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A purge reads cold segments back a chunk at a time. Every write that lands meanwhile (here: producers' submits)
/// evicts down to the budget, and the segments the purge just read are the first to go (wholly waiting, farthest
/// from the front). The purge must still finish: a segment read for a caller stays until that caller has used it.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PurgeEvictionRaceTests(RedisFixture fixture)
{
    private const int Budget = 512;

    [Fact]
    public async Task APurgeOfAColdBacklog_WhileSubmitsEvict_Finishes_AndCountsWhatItCancelled()
    {
        const string queue = "purge-evict";
        const int tasks = 20_000;
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: Guid.NewGuid().ToString("N"),
            configure: (_, settings) => settings.Partitions.MaxResidentTasks = Budget);
        var client = cluster.Client;
        for (var batch = 0; batch < tasks / 500; batch++)
            await client.SubmitBatchAsync(Enumerable.Range(0, 500).Select(i => new RecordTask($"p{(batch * 500) + i}")), queue);

        using var stop = new CancellationTokenSource();
        var late = 0;
        var producers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await client.SubmitAsync(new WaitTask("late", 0), queue);
                Interlocked.Increment(ref late);
            }
        })).ToList();
        // A name the backlog lacks: the purge cancels nothing, so it reads every cold segment back while submits evict.
        var none = await client.PurgeQueueAsync(queue, "test.nothing-of-this-name");
        // Then one that matches the backlog: chunks cancelled and written while submits keep landing.
        var purged = await client.PurgeQueueAsync(queue, "test.record");
        await stop.CancelAsync();
        await Task.WhenAll(producers);

        Assert.Equal(0, none);
        Assert.Equal(tasks, purged);
        var stats = await client.GetQueueStatsAsync(queue);
        Assert.Equal(late, stats.Pending);
        Assert.Equal(tasks, stats.Cancelled);
    }
}
