using System.Diagnostics;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// One bad request never breaks a queue, and no caller hangs: the owner refuses what the client did not, waiters
/// wake whatever ends their task, and what no rule foresaw (oversized results, timeouts of TimeSpan.MaxValue) is
/// handled. One cluster on the shared real Redis; each test has its own queue.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class HardeningTests(RedisFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private TaskQueueCluster _cluster = null!;

    private TaskClient Client => _cluster.Client;

    public async Task InitializeAsync() =>
        _cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["hd-direct", "hd-expire", "hd-forever", "hd-big"], concurrency: 4,
            configure: (_, s) => s.Partitions.MaxResultBytes = 1000);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ASubmitStraightToThePartition_WithPriority7_IsRefusedNamingPriority_AndTheQueueKeepsWorking()
    {
        const string queue = "hd-direct";
        var partition = _cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        var hostile = new TaskSubmission { TaskName = "test.record", Payload = """{"label":"x"}"""u8.ToArray(), Priority = (TaskPriority)7 };

        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<InvalidTaskException>(() => partition.SubmitAsync([hostile]));

        Assert.Equal("Priority", refused.Field);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refusal took {clock.Elapsed}");
        Assert.Equal(0, (await Client.GetQueueStatsAsync(queue)).Pending);
        // The client path refuses it before sending anything.
        var clientSide = await Assert.ThrowsAsync<InvalidTaskException>(() => Client.SubmitAsync(new RecordTask("y"), queue, new TaskOptions { Priority = (TaskPriority)7 }));
        Assert.Equal("Priority", clientSide.Field);
        // A partition number the silos do not serve is refused too: its tasks would never be leased.
        var stray = _cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 3));
        Assert.Equal("Partition", (await Assert.ThrowsAsync<InvalidTaskException>(() => stray.SubmitAsync([hostile with { Priority = TaskPriority.High }]))).Field);

        var ok = await Client.SubmitAsync(new RecordTask("after"), queue, new TaskOptions { Priority = TaskPriority.High });
        Assert.Equal("after", await Client.WaitForResultAsync<string>(ok, Timeout));
        // The partition reloads: nothing unindexable was stored.
        await _cluster.Cluster.DeactivateAsync(partition);
        Assert.Equal(1, (await Client.GetQueueStatsAsync(queue)).Succeeded);
    }

    [Fact]
    public async Task AWaiter_IsWokenAtOnce_WhenItsTaskExpiresBeforeItStarts()
    {
        const string queue = "hd-expire";
        await Client.PauseQueueAsync(queue);
        var id = await Client.SubmitAsync(new RecordTask("late"), queue, new TaskOptions { ExpiresAt = TimeProvider.System.GetUtcNow().AddSeconds(1) });
        var waiting = Client.WaitForResultAsync<string>(id, Timeout);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var clock = Stopwatch.StartNew();
        await Client.ResumeQueueAsync(queue);
        var expired = await Assert.ThrowsAsync<TaskExecutionException>(() => waiting);

        // Woken by the expiry itself, not by its wait call ending 20 s later.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the waiter woke {clock.Elapsed} after the task expired");
        Assert.Equal("Expired", expired.Error?.Type);
        Assert.Empty(Executions.Of(queue));
    }

    [Fact]
    public async Task ATimeoutOfTimeSpanMaxValue_MeansNoTimeout_AndTheTaskRunsOnce()
    {
        const string queue = "hd-forever";
        var id = await Client.SubmitAsync(new WaitTask("patient", 300), queue, new TaskOptions { Timeout = TimeSpan.MaxValue });

        Assert.Equal("patient", await Client.WaitForResultAsync<string>(id, Timeout));
        Assert.Equal(1, (await Client.GetTaskAsync(id))!.Attempts);
        Assert.Single(Executions.Of(queue));
    }

    [Fact]
    public async Task AResultOverTheLimit_DeadLettersItsTask_WithoutRetrying()
    {
        const string queue = "hd-big";
        var id = await Client.SubmitAsync(new RecordTask(new string('r', 2000)), queue);

        var failed = await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(id, Timeout));

        Assert.Equal("ResultTooLarge", failed.Error?.Type);
        var info = (await Client.GetTaskAsync(id))!;
        Assert.Equal(1, info.Attempts);
        Assert.Null(info.ResultJson);
    }

    [Fact]
    public async Task Stats_OfAQueueNobodyUsed_LeaveRedisUnchanged()
    {
        var queue = "hd-unused-" + Guid.NewGuid().ToString("N")[..8];
        var keysBefore = fixture.Redis.Server.Keys(pattern: "*").Count();

        var stats = await Client.GetQueueStatsAsync(queue);
        Assert.Null(await Client.GetTaskAsync(new TaskId(queue, 0, 5)));
        Assert.Empty(await Client.ListDeadLettersAsync(queue));

        Assert.Equal(0, stats.Pending + stats.Succeeded);
        Assert.Empty(fixture.Redis.Server.Keys(pattern: $"*{queue}*"));
        Assert.Equal(keysBefore, fixture.Redis.Server.Keys(pattern: "*").Count());
    }
}
