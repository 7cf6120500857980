using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>Cancel, timeouts, idempotent submits and dead letters through a real cluster on real Redis.</summary>
[Collection(RedisGroup.Name)]
public sealed class ReliabilityTests(RedisFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private TaskQueueCluster _cluster = null!;

    private TaskClient Client => _cluster.Client;

    public async Task InitializeAsync() =>
        _cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["rel-cancel", "rel-run", "rel-timeout", "rel-idem", "rel-poison", "rel-dead"], concurrency: 4);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Cancel_APendingTask_RemovesIt_AndItNeverRuns()
    {
        const string queue = "rel-cancel";
        await Client.PauseQueueAsync(queue);
        var id = await Client.SubmitAsync(new RecordTask("never"), queue);

        Assert.True(await Client.CancelAsync(id));
        await Client.ResumeQueueAsync(queue);
        var after = await Client.SubmitAsync(new RecordTask("after"), queue);
        await Client.WaitForResultAsync<string>(after, Timeout);

        await Assert.ThrowsAsync<TaskCancelledException>(() => Client.WaitForResultAsync<string>(id, Timeout));
        Assert.Equal(["after"], Executions.Of(queue).Select(e => e.Label));
        Assert.False(await Client.CancelAsync(id));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancel_ARunningTask_FiresItsTokenOnTheWorker_AndItEndsCancelledWithinASecond(bool ignoresToken)
    {
        const string queue = "rel-run";
        var label = $"long-{ignoresToken}";
        var id = await Client.SubmitAsync(new WaitTask(label, 60_000, ignoresToken), queue);
        while (!Executions.Of(queue).Any(e => e.Label == label)) await Task.Delay(20);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(await Client.CancelAsync(id));
        await Assert.ThrowsAsync<TaskCancelledException>(() => Client.WaitForResultAsync<string>(id, Timeout));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"cancel took {clock.Elapsed}");
        var info = (await Client.GetTaskAsync(id))!;
        Assert.Equal(TaskState.Cancelled, info.State);
        Assert.Equal(1, info.Attempts);
    }

    [Fact]
    public async Task Timeout_FailsTheAttempt_AndGivesTheSlotBack_EvenWhenTheHandlerIgnoresItsToken()
    {
        const string queue = "rel-timeout";
        // Four slots, four stubborn handlers: only timeouts that give slots back let the fifth task run.
        var stubborn = await Client.SubmitBatchAsync(
            Enumerable.Range(0, 4).Select(i => new WaitTask($"stubborn-{i}", 60_000, IgnoreToken: true)), queue,
            new TaskOptions { Timeout = TimeSpan.FromMilliseconds(300), Retry = RetryPolicy.None });
        var next = await Client.SubmitAsync(new RecordTask("next"), queue);

        Assert.Equal("next", await Client.WaitForResultAsync<string>(next, TimeSpan.FromSeconds(10)));
        foreach (var id in stubborn)
        {
            var error = await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(id, Timeout));
            Assert.Equal("Timeout", error.Error?.Type);
            Assert.Contains("Timed out", error.Error?.Message);
        }
    }

    [Fact]
    public async Task ConcurrentDuplicateSubmits_WithOneIdempotencyKey_CreateOneTask()
    {
        const string queue = "rel-idem";
        var options = new TaskOptions { IdempotencyKey = "order-42" };

        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Client.SubmitAsync(new RecordTask("order-42"), queue, options)));

        Assert.Single(ids.Distinct());
        await Client.WaitForResultAsync<string>(ids[0], Timeout);
        Assert.Single(Executions.Of(queue));
        Assert.Equal(1, (await Client.GetQueueStatsAsync(queue)).Succeeded);
        // Even after it finished, the key still answers with the same task.
        Assert.Equal(ids[0], await Client.SubmitAsync(new RecordTask("order-42"), queue, options));
    }

    [Fact]
    public async Task PoisonPayload_EndsDeadLettered_AtOnce_WithItsReason()
    {
        const string queue = "rel-poison";
        var poison = await Client.SubmitAsync("test.record", """{"label": {"not": "a string"}}""", queue);

        var bad = await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(poison, Timeout));
        Assert.Contains("does not deserialize", bad.Error?.Message);
        Assert.Equal(1, (await Client.GetTaskAsync(poison))!.Attempts); // not retried: it can never succeed
    }

    [Fact]
    public async Task ATaskNameNoWorkerHandles_IsRefusedAtSubmit_NamingIt()
    {
        const string queue = "rel-poison";
        var catalog = _cluster.Cluster.Client.GetGrain<ITaskCatalogGrain>(0);
        while ((await catalog.GetAsync()).Workers == 0) await Task.Delay(50);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // past the partition's one-second memory of an empty catalog
        var before = await Client.GetQueueStatsAsync(queue);

        var refused = await Assert.ThrowsAsync<InvalidTaskException>(() => Client.SubmitAsync("nobody.handles.this", "{}", queue));

        Assert.Contains("'nobody.handles.this'", refused.Message);
        Assert.Contains("test.record", refused.Message);
        var after = await Client.GetQueueStatsAsync(queue);
        Assert.Equal(before.Pending + before.Succeeded + before.DeadLettered, after.Pending + after.Succeeded + after.DeadLettered);
        Assert.Equal("ok", await Client.WaitForResultAsync<string>(await Client.SubmitAsync(new RecordTask("ok"), queue), Timeout));
    }

    [Fact]
    public async Task DeadLetters_AreListed_RetriedByName_AndPurged()
    {
        const string queue = "rel-dead";
        var failing = await Client.SubmitBatchAsync([new FailTask("a"), new FailTask("b")], queue, new TaskOptions { Retry = RetryPolicy.None });
        foreach (var id in failing) await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(id, Timeout));

        var listed = await Client.ListDeadLettersAsync(queue);
        Assert.Equal(failing.OrderBy(i => i.Sequence), listed.Select(t => t.Id).OrderBy(i => i.Sequence));
        Assert.All(listed, t => Assert.Equal(TaskState.DeadLettered, t.State));

        Assert.True(await Client.RetryDeadLetterAsync(failing[0]));
        await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(failing[0], Timeout));
        Assert.Equal(2, (await Client.GetTaskAsync(failing[0]))!.Attempts);
        Assert.Equal(2, await Client.RetryDeadLettersAsync(queue, "test.fail"));
        Assert.Equal(0, await Client.RetryDeadLettersAsync(queue, "no.such.task"));
        foreach (var id in failing) await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(id, Timeout));
        Assert.Equal(5, Executions.Of(queue).Count);

        Assert.Equal(2, await Client.PurgeDeadLettersAsync(queue));
        Assert.Empty(await Client.ListDeadLettersAsync(queue));
        Assert.Null(await Client.GetTaskAsync(failing[0]));
    }
}
