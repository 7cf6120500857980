using DistributedTaskQueue.Tests.Support;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A completion report nobody waits for rides with the next write instead of starting its own (on real Redis): a
/// quick task submitted on its own costs one flush, not two, and the report is still written when nothing else is.
/// How many flushes a run of submits saves depends on timing, so that figure is the bench's (`producers`), not a test's.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class CompletionRideTests(RedisFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AReportFollowedByASubmit_SharesTheSubmitsFlush()
    {
        const string queue = "ride-pair";
        // No worker loops: the test is the worker, so it decides what reaches the partition in which order.
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, []);
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        var submission = new TaskSubmission { TaskName = BuiltInTasks.Echo, Payload = "\"x\""u8.ToArray() };
        await partition.SubmitAsync([submission]); // the first submit also lists the queue (a storage write of its own)
        var shared = 0;
        var flushCounts = new List<long>();
        for (var trial = 0; trial < 10; trial++)
        {
            var leased = Assert.Single(await partition.LeaseAsync("w", trial, 1, TimeSpan.Zero, null));
            await QuietAsync(); // the lease mark's own write has landed: nothing is left to write but what follows
            var before = await fixture.Redis.CallsAsync("evalsha");
            // The report of a success nobody waits for, on a partition with nothing pending, then the next submit.
            var succeeded = (await partition.GetStatsAsync()).Succeeded;
            var report = partition.CompleteAsync("w", [new TaskCompletion(leased.Lease, new TaskOutcome.Succeeded("\"x\""u8.ToArray()))]);
            // Two calls sent back to back may be served in either order; the submit goes once the report is applied
            // (stats are read from memory, so asking writes nothing).
            while ((await partition.GetStatsAsync()).Succeeded == succeeded) { }
            await partition.SubmitAsync([submission]);
            await report;
            var flushes = await fixture.Redis.CallsAsync("evalsha") - before;
            flushCounts.Add(flushes);
            if (flushes == 1) shared++;
        }

        output.WriteLine($"flushes per report and submit: {string.Join(", ", flushCounts)}");
        // A report that writes at once makes two flushes every time (its own, then the submit's). Riding, the submit's
        // flush carries it, unless the lease-mark timer (5 ms) wrote it first: a loaded machine may do that now and
        // then, not ten times in a row.
        Assert.All(flushCounts, f => Assert.InRange(f, 1, 2));
        Assert.True(shared > 0, $"no report shared a submit's flush: {string.Join(", ", flushCounts)}");
    }

    /// <summary>Waits until Redis has run no flush for 200 ms.</summary>
    private async Task QuietAsync()
    {
        var flushes = await fixture.Redis.CallsAsync("evalsha");
        for (var quiet = 0; quiet < 4; quiet++)
        {
            await Task.Delay(50);
            var now = await fixture.Redis.CallsAsync("evalsha");
            if (now != flushes) quiet = -1;
            flushes = now;
        }
    }

    [Fact]
    public async Task AReportThatChangesNothing_OnAnIdlePartition_StillReturnsAtOnce()
    {
        const string queue = "ride-empty";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue]);
        var id = await cluster.Client.SubmitAsync(new RecordTask("done"), queue);
        await cluster.Client.WaitForResultAsync<string>(id, Timeout);
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(id.PartitionKey);
        var attempt = Executions.Of(queue).Single();
        var stale = new TaskCompletion(new LeaseToken(id.Sequence, attempt.Attempt, 0), new TaskOutcome.Succeeded("\"again\""u8.ToArray()));

        // Nothing to write, nothing pending, no other caller: only the partition's timer ends these riders. Without it
        // they would wait for Orleans' 30 s call timeout.
        await partition.CompleteAsync("w", []).WaitAsync(TimeSpan.FromSeconds(10));
        await partition.CompleteAsync(attempt.WorkerId, [stale]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("\"done\"", (await cluster.Client.GetTaskAsync(id))!.ResultJson);
    }

    [Fact]
    public async Task ACompletionNobodyWaitsFor_IsWrittenOnItsOwn_SoASiloKilledAfterwardsDoesNotRunItAgain()
    {
        const string queue = "ride-alone";
        var serviceId = Guid.NewGuid().ToString("N");
        TaskId id;
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId))
        {
            // It runs 100 ms, so its lease mark has been written on its own by the time it ends (that write carries nothing of the report).
            id = await first.Client.SubmitAsync(new RecordTask("alone", DelayMilliseconds: 100), queue);
            while (Executions.Of(queue).Count < 1) await Task.Delay(5);
            // No reader, no other submit: only the partition's own timer can write the report. Wait until Redis has
            // been quiet for a while, then kill the silo, so no close writes anything for it.
            await QuietAsync();
            await first.Cluster.KillSiloAsync(first.Cluster.Silos[0]);
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId);
        var info = (await second.Client.GetTaskAsync(id))!;
        Assert.Equal(TaskState.Succeeded, info.State);
        Assert.Equal(1, info.Attempts);
        Assert.Equal("alone", await second.Client.WaitForResultAsync<string>(id, Timeout));
        Assert.Single(Executions.Of(queue));
    }
}
