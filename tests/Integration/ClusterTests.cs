using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>What only holds across silos and cluster restarts, on real Redis.</summary>
[Collection(RedisGroup.Name)]
public sealed class ClusterTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AcknowledgedTasks_SurviveAWholeClusterRestart_AndEachRunsOnce()
    {
        const string queue = "cl-durable";
        var serviceId = Guid.NewGuid().ToString("N");
        List<TaskId> ids;
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId))
        {
            ids = [.. await first.Client.SubmitBatchAsync(Enumerable.Range(0, 300).Select(i => new RecordTask($"d{i}")), queue)];
            for (var i = 0; i < 20; i++) ids.Add(await first.Client.SubmitAsync(new RecordTask($"s{i}"), queue, new TaskOptions { Priority = TaskPriority.High }));
            Assert.Equal(320, (await first.Client.GetQueueStatsAsync(queue)).Pending);
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId);
        foreach (var id in ids) await second.Client.WaitForResultAsync<string>(id, Timeout);

        var runs = Executions.Of(queue).GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(320, runs.Count);
        Assert.All(runs, run => Assert.Equal(1, run.Value));
        var stats = await second.Client.GetQueueStatsAsync(queue);
        Assert.Equal(320, stats.Succeeded);
        Assert.Equal(0, stats.Pending);
    }

    [Fact]
    public async Task TwoSilos_BothExecuteTasks_FromOneQueue()
    {
        const string queue = "cl-spread";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 2, concurrency: 4);
        // I/O-like tasks, so neither silo can drain the queue alone before the other leases.
        var ids = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 200).Select(i => new RecordTask($"p{i}", DelayMilliseconds: 20)), queue);

        foreach (var id in ids) await cluster.Client.WaitForResultAsync<string>(id, Timeout);

        var perWorker = Executions.Of(queue).GroupBy(e => e.WorkerId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, perWorker.Count);
        Assert.All(perWorker.Values, count => Assert.True(count >= 40, $"a silo ran only {count} of 200 tasks"));
        Assert.Equal(200, perWorker.Values.Sum());
    }

    [Fact]
    public async Task ATaskWhoseHandlerIsMissingWhenItRuns_EndsDeadLettered_AfterItsRetries()
    {
        const string queue = "cl-missing";
        // As after a deploy that dropped a handler: the name is accepted (refusal off), no worker can run it.
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue],
            configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);
        var missing = await cluster.Client.SubmitAsync("nobody.handles.this", "{}", queue,
            new TaskOptions { Retry = new RetryPolicy { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(100) } });

        var none = await Assert.ThrowsAsync<TaskExecutionException>(() => cluster.Client.WaitForResultAsync<string>(missing, Timeout));

        Assert.Equal("MissingHandler", none.Error?.Type);
        Assert.Contains("nobody.handles.this", none.Error?.Message);
        Assert.Equal(3, (await cluster.Client.GetTaskAsync(missing))!.Attempts); // retried within its policy, then dead-lettered
    }
}
