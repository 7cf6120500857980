using System.Diagnostics;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Handlers that block their thread (synchronous I/O, Thread.Sleep) are common in the wild. Everything a silo does runs
/// on the .NET thread pool: partition turns, and since issue 13 the Redis client's reading of replies too
/// (<c>SocketManager.ThreadPool</c>). This shows that a worker whose every slot blocks a pool thread still has its
/// partitions write: the pool adds threads when its queue starves, and nothing waits for a dedicated thread.
/// </summary>
[Collection(BlockingGroup.Name)]
public sealed class BlockingHandlerTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhileEverySlotBlocksAThreadPoolThread_SubmitsAreStillAcknowledged_AndEveryTaskRuns()
    {
        const string blocking = "blk-handlers";
        const string quick = "blk-quick";
        // Four blocked threads per core: far past the pool's minimum of one per core.
        var slots = Environment.ProcessorCount * 4;
        await using var cluster = await TaskQueueCluster.StartAsync(
            fixture.Redis, [blocking, quick], concurrency: slots, services: s => s.AddTaskHandler<SleepThreadTaskHandler>());
        var blocked = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, slots).Select(i => new SleepThreadTask($"b{i}", 6_000)), blocking);
        var clock = Stopwatch.StartNew();
        while (SleepThreadTaskHandler.Blocking < slots)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"only {SleepThreadTaskHandler.Blocking} of {slots} handlers started blocking");
            await Task.Delay(50);
        }

        var submitted = new List<TaskId>();
        for (var i = 0; i < 20; i++) submitted.Add(await cluster.Client.SubmitAsync(new RecordTask($"q{i}"), quick));

        var stats = await cluster.Client.GetQueueStatsAsync(quick);

        // Acknowledged (written to Redis) and counted while every slot still blocked: nothing waited for a handler to let go.
        Assert.Equal(slots, SleepThreadTaskHandler.Blocking);
        Assert.Equal(20, stats.Pending);
        foreach (var id in blocked.Concat(submitted)) await cluster.Client.WaitForResultAsync<string>(id, Timeout);
        Assert.Equal(slots, Executions.Of(blocking).Count);
        Assert.Equal(20, Executions.Of(quick).Count);
    }
}
