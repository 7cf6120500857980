using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Delayed tasks on real Redis: a backlog of them far over the resident budget is held in Redis (only due times stay
/// in memory), survives a whole-cluster restart, and runs each task once, never before its time; and a due task
/// starts within milliseconds of its time, not at the partition's next one-second tick.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class DelayedTaskTests(RedisFixture fixture)
{
    private const int Budget = 512;
    private const int Tasks = 5_000;
    private const int Batch = 250;
    // The budget, plus the tail segment and the delayed tasks' read-ahead (at most PrefetchSegments segments), never evicted.
    private const long MostResident = Budget + ((Queue.QueuePartition.PrefetchSegments + 1) * Queue.TaskSegment.Capacity);

    [Fact]
    public async Task ADelayedBacklogOverTheBudget_StaysInRedis_SurvivesARestart_AndRunsEachTaskOnce_NotBeforeItsTime()
    {
        const string queue = "delayed-resident";
        var serviceId = Guid.NewGuid().ToString("N");
        void Budgeted(string silo, TaskQueueSiloOptions settings) => settings.Partitions.MaxResidentTasks = Budget;
        var due = new Dictionary<TaskId, DateTimeOffset>();
        TaskId cancelled;
        // The first cluster runs no worker: nothing can run before the restart, whatever the timing.
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId, configure: Budgeted))
        {
            var start = TimeProvider.System.GetUtcNow();
            for (var batch = 0; batch < Tasks / Batch; batch++)
            {
                // Due 10-15 s from now, a batch every 250 ms: past the restart, and spread over many promotions.
                var notBefore = start.AddSeconds(10).AddMilliseconds(batch * 250);
                var ids = await first.Client.SubmitBatchAsync(
                    Enumerable.Range(0, Batch).Select(i => new RecordTask($"d{(batch * Batch) + i}")), queue, new TaskOptions { NotBefore = notBefore });
                foreach (var id in ids) due[id] = notBefore;
            }

            var stats = await first.Client.GetQueueStatsAsync(queue);
            Assert.Equal(Tasks, stats.Delayed);
            Assert.InRange(stats.ResidentTasks, 1, MostResident);

            // The last task and one deep in the backlog live only in Redis now; both still answer, and the cancel warms its segment.
            var ordered = due.Keys.OrderBy(id => id.Sequence).ToList();
            Assert.Equal(TaskState.Scheduled, (await first.Client.GetTaskAsync(ordered[^1]))!.State);
            cancelled = ordered[1_000];
            Assert.True(await first.Client.CancelAsync(cancelled));
            Assert.Equal(TaskState.Cancelled, (await first.Client.GetTaskAsync(cancelled))!.State);
            Assert.Equal(Tasks - 1, (await first.Client.GetQueueStatsAsync(queue)).Delayed);
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId, configure: Budgeted);
        foreach (var id in due.Keys.Where(id => id != cancelled))
            Assert.Equal(TaskState.Succeeded, (await second.Client.WaitAsync(id, TimeSpan.FromSeconds(60))).State);

        var runs = Executions.Of(queue).GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Tasks - 1, runs.Count);
        Assert.All(runs, run => Assert.Equal(1, run.Value));
        foreach (var (id, notBefore) in due.Where(d => d.Key != cancelled))
        {
            var info = await second.Client.GetTaskAsync(id);
            Assert.True(info!.StartedAt >= notBefore, $"{id} started at {info.StartedAt:O}, before its time {notBefore:O}");
        }
        var after = await second.Client.GetQueueStatsAsync(queue);
        Assert.Equal(0, after.Delayed);
        Assert.Equal(Tasks - 1, after.Succeeded);
        Assert.Equal(1, after.Cancelled);
        // Segments read back for the run leave again at the next eviction (after a write, or the 1 s tick).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (after.ResidentTasks > Budget && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
            after = await second.Client.GetQueueStatsAsync(queue);
        }
        Assert.InRange(after.ResidentTasks, 1, Budget);
    }

    [Fact]
    public async Task ADueTask_StartsWithinMillisecondsOfItsTime_NotAtThePartitionsNextTick()
    {
        const string queue = "delayed-precision";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue]);
        // Warm the partition and the worker, so the first due task does not pay for activation.
        await cluster.Client.WaitAsync(await cluster.Client.SubmitAsync(new RecordTask("warm"), queue), TimeSpan.FromSeconds(30));

        // Due 1.2-1.8 s from now: a one-second tick would leave at least one of them about half a second late.
        var now = TimeProvider.System.GetUtcNow();
        var due = new Dictionary<TaskId, DateTimeOffset>();
        for (var i = 0; i < 7; i++)
        {
            var notBefore = now.AddMilliseconds(1_200 + (i * 100));
            due[await cluster.Client.SubmitAsync(new RecordTask($"p{i}"), queue, new TaskOptions { NotBefore = notBefore })] = notBefore;
        }

        var lateness = new List<TimeSpan>();
        foreach (var (id, notBefore) in due)
        {
            var info = await cluster.Client.WaitAsync(id, TimeSpan.FromSeconds(30));
            Assert.Equal(TaskState.Succeeded, info.State);
            lateness.Add(info.StartedAt!.Value - notBefore);
        }
        Assert.All(lateness, late => Assert.InRange(late, TimeSpan.Zero, TimeSpan.FromMilliseconds(250)));
    }
}
