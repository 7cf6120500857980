using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Listing and purging a backlog far over the resident budget on real Redis: listings read cold segments back in
/// order and write nothing; a purge cancels every waiting task in bounded chunks, durably, and memory stays bounded.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class QueueListingResidencyTests(RedisFixture fixture)
{
    private const int Budget = 512;

    private static void Budgeted(string silo, TaskQueueSiloOptions settings) => settings.Partitions.MaxResidentTasks = Budget;

    [Fact]
    public async Task ListingsOfABacklogMostlyInRedis_AreInServedOrder_SkipCancelledTasks_AndWriteNothing()
    {
        const string queue = "list-cold";
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId, configure: Budgeted);
        var client = cluster.Client;
        // 3,000 tasks: every third Low, every seventh High, the rest Normal; then 600 delayed, due in reverse submit order.
        var submitted = new List<(TaskId Id, TaskPriority Priority)>();
        for (var batch = 0; batch < 12; batch++)
        {
            var tasks = Enumerable.Range(batch * 250, 250).Select(i => ((ITask<string>)new RecordTask($"r{i}"), i % 7 == 0 ? TaskPriority.High : i % 3 == 0 ? TaskPriority.Low : TaskPriority.Normal)).ToList();
            var ids = await client.SubmitBatchAsync(tasks, queue);
            submitted.AddRange(ids.Select((id, i) => (id, tasks[i].Item2)));
        }
        var delayed = new List<TaskId>();
        for (var i = 0; i < 600; i++)
            delayed.Add(await client.SubmitAsync(new RecordTask($"d{i}"), queue, new TaskOptions { Delay = TimeSpan.FromHours(2) - TimeSpan.FromSeconds(i) }));
        // Cancelled ones, deep in the backlog (in segments that went cold), stay in the lines until leasing: listings skip them.
        var cancelled = submitted.Where((_, i) => i % 10 == 1).Select(t => t.Id).ToHashSet();
        foreach (var id in cancelled) Assert.True(await client.CancelAsync(id));
        Assert.True(await client.CancelAsync(delayed[^1]));
        var stats = await client.GetQueueStatsAsync(queue);
        Assert.InRange(stats.ResidentTasks, 1, 2_000);

        var keys = fixture.Redis.Server.Keys(pattern: $"{serviceId}*").Count();
        var scripts = await fixture.Redis.CallsAsync("evalsha");
        var pending = await client.ListTasksAsync(queue, TaskState.Pending, 500);
        var due = await client.ListTasksAsync(queue, TaskState.Scheduled, 500);

        var expected = submitted.Where(t => !cancelled.Contains(t.Id)).OrderByDescending(t => t.Priority).ThenBy(t => t.Id.Sequence).Take(500).Select(t => t.Id);
        Assert.Equal(expected, pending.Select(t => t.Id));
        Assert.All(pending, t => Assert.Null(t.Payload));
        Assert.Equal(Enumerable.Reverse(delayed).Skip(1).Take(500), due.Select(t => t.Id));
        Assert.Equal(keys, fixture.Redis.Server.Keys(pattern: $"{serviceId}*").Count());
        Assert.Equal(scripts, await fixture.Redis.CallsAsync("evalsha"));
    }

    [Fact]
    public async Task PurgeOfABacklogMostlyInRedis_CancelsEveryWaitingTask_DurablyAndWithinTheBudget()
    {
        const string queue = "purge-cold";
        const int tasks = 20_000;
        var serviceId = Guid.NewGuid().ToString("N");
        var ids = new List<TaskId>();
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId, configure: Budgeted))
        {
            for (var batch = 0; batch < tasks / 500; batch++)
                ids.AddRange(await first.Client.SubmitBatchAsync(Enumerable.Range(0, 500).Select(i => new RecordTask($"p{(batch * 500) + i}")), queue));
            ids.Add(await first.Client.SubmitAsync(new RecordTask("delayed"), queue, new TaskOptions { Delay = TimeSpan.FromHours(1) }));
            ids.Add(await first.Client.SubmitAsync(new FailTask("other name"), queue));
            var rare = await first.Client.SubmitAsync(new WaitTask("rare", 1), queue);

            // A name only one task has: the purge reads every cold segment back, finds nothing in most, and goes on.
            Assert.Equal(1, await first.Client.PurgeQueueAsync(queue, "test.wait"));
            Assert.Equal(TaskState.Cancelled, (await first.Client.GetTaskAsync(rare))!.State);
            Assert.Equal(tasks + 1, await first.Client.PurgeQueueAsync(queue, "test.record"));

            var stats = await first.Client.GetQueueStatsAsync(queue);
            Assert.Equal(1, stats.Pending);
            Assert.Equal(0, stats.Delayed);
            Assert.Equal(tasks + 2, stats.Cancelled);
            // Chunks leave memory as they are written: a purge never holds the backlog.
            Assert.InRange(stats.ResidentTasks, 1, Budget + (Queue.PartitionPurge.Chunk * 2));
            Assert.Equal(TaskState.Cancelled, (await first.Client.GetTaskAsync(ids[15_000]))!.State);
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId, configure: Budgeted);
        var after = await second.Client.GetQueueStatsAsync(queue);
        Assert.Equal(1, after.Pending);
        Assert.Equal(tasks + 2, after.Cancelled);
        Assert.Equal(TaskState.Cancelled, (await second.Client.GetTaskAsync(ids[0]))!.State);
        Assert.Equal(TaskState.Cancelled, (await second.Client.GetTaskAsync(ids[^2]))!.State);
        Assert.Equal(TaskState.Pending, (await second.Client.GetTaskAsync(ids[^1]))!.State);
        Assert.Equal([ids[^1]], (await second.Client.ListTasksAsync(queue, TaskState.Pending)).Select(t => t.Id));
    }
}
