using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Invariant 6 on real Redis: a backlog far over the resident budget is held mostly in Redis, and every task in it
/// still answers status and cancel, survives a restart and runs exactly once.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ResidencyTests(RedisFixture fixture)
{
    private const int Budget = 512;
    private const int Tasks = 5_000;
    // The budget, plus the prefetch window of the one priority in use and the tail segment, which are never evicted.
    private const long MostResident = Budget + ((Queue.QueuePartition.PrefetchSegments + 1) * Queue.TaskSegment.Capacity);

    [Fact]
    public async Task ABacklogOverTheBudget_StaysInRedis_AndStillAnswersCancelsAndRunsOnce()
    {
        const string queue = "resident";
        var serviceId = Guid.NewGuid().ToString("N");
        void Budgeted(string silo, TaskQueueSiloOptions settings) => settings.Partitions.MaxResidentTasks = Budget;
        var ids = new List<TaskId>();
        TaskId cancelled;
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId, configure: Budgeted))
        {
            for (var batch = 0; batch < Tasks / 250; batch++)
                ids.AddRange(await first.Client.SubmitBatchAsync(Enumerable.Range(0, 250).Select(i => new RecordTask($"r{(batch * 250) + i}")), queue));

            var stats = await first.Client.GetQueueStatsAsync(queue);
            Assert.Equal(Tasks, stats.Pending);
            Assert.InRange(stats.ResidentTasks, 1, MostResident);

            // The last task and one deep in the backlog live only in Redis now; both still answer.
            Assert.Equal(TaskState.Pending, (await first.Client.GetTaskAsync(ids[^1]))!.State);
            cancelled = ids[4_000];
            Assert.True(await first.Client.CancelAsync(cancelled));
            Assert.Equal(TaskState.Cancelled, (await first.Client.GetTaskAsync(cancelled))!.State);
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId, configure: Budgeted);
        foreach (var id in ids.Where(id => id != cancelled))
            Assert.Equal(TaskState.Succeeded, (await second.Client.WaitAsync(id, TimeSpan.FromSeconds(60))).State);

        var runs = Executions.Of(queue).GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Tasks - 1, runs.Count);
        Assert.All(runs, run => Assert.Equal(1, run.Value));
        Assert.DoesNotContain("r4000", runs.Keys);
        var after = await second.Client.GetQueueStatsAsync(queue);
        Assert.Equal(Tasks - 1, after.Succeeded);
        Assert.Equal(1, after.Cancelled);
        // Segments read back for the waits above leave again at the next eviction (after a write, or the 1 s tick).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (after.ResidentTasks > Budget && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
            after = await second.Client.GetQueueStatsAsync(queue);
        }
        Assert.InRange(after.ResidentTasks, 1, Budget);
    }
}
