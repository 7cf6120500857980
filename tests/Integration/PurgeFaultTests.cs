using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A purge whose write is lost part-way, over a backlog mostly in cold segments: the call fails, the partition reloads
/// what storage has, nothing of another name is lost, a purge asked again finishes the job, and a waiter is answered.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PurgeFaultTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task APurgeWhoseWriteIsLost_FailsLosesNothing_AndAPurgeAskedAgainFinishes()
    {
        const string queue = "purge-fault";
        const int segments = 24;
        // Redis mode, its flush script wrapped: a flush that writes a lost segment never reaches Redis, none of it.
        var faults = new FaultInjectingStorage(new SynchronousWriteStorage());
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) => s.Partitions.MaxResidentTasks = 4 * TaskSegment.Capacity,
            services: services => services.AddSingleton<IPartitionFlush>(sp => new FaultInjectingFlush(ActivatorUtilities.CreateInstance<PartitionFlushScript>(sp), faults)));
        var grain = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        var ids = await grain.SubmitAsync([.. Enumerable.Range(0, segments * TaskSegment.Capacity)
            .Select(i => new TaskSubmission { TaskName = i % 2 == 0 ? "a" : "b", Payload = "{}"u8.ToArray() })]);
        var first = TaskSegment.NumberOf(ids.Min(t => t.Sequence));
        Assert.InRange((await grain.GetStatsAsync()).ResidentTasks, 1, (segments - 4) * TaskSegment.Capacity); // some segments are cold
        var waiter = grain.WaitAsync(ids[0].Sequence, TimeSpan.FromSeconds(20));

        faults.Lose($"seg-{first + 1}", $"seg-{first + 20}");
        await Assert.ThrowsAsync<TaskQueueUnavailableException>(() => grain.PurgeAsync("a"));
        faults.LoseNothing();

        var purged = 0;
        await ClusterProbes.Eventually(async () =>
        {
            try
            {
                purged += await grain.PurgeAsync("a");
                return true;
            }
            catch (TaskQueueUnavailableException)
            {
                return false;
            }
        }, Timeout, "the reloaded partition purges");
        Assert.InRange(purged, 1, ids.Length / 2);

        var stats = await grain.GetStatsAsync();
        Assert.Equal(ids.Length / 2, stats.Pending);
        Assert.Equal(ids.Length / 2, stats.Cancelled);
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            Assert.Equal(i % 2 == 0 ? TaskState.Cancelled : TaskState.Pending, (await grain.GetTaskAsync(id.Sequence))!.State);
        TaskInfo? answered;
        try
        {
            answered = await waiter.WaitAsync(Timeout);
        }
        catch (TaskQueueUnavailableException)
        {
            answered = await grain.WaitAsync(ids[0].Sequence, TimeSpan.FromSeconds(5)); // its activation was the one that failed
        }
        Assert.Equal(TaskState.Cancelled, answered!.State);
    }
}
