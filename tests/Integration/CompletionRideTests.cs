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
        var flushCounts = await FlushesPerReportThenSubmitAsync("ride-pair", pendingBesides: 0, Success, parkAWaiter: false);
        // A report that writes at once makes two flushes every time (its own, then the submit's). Riding, the submit's
        // flush carries it, unless the lease-mark timer (5 ms) wrote it first: a loaded machine may do that now and
        // then, not ten times in a row.
        Assert.All(flushCounts, f => Assert.InRange(f, 1, 2));
        Assert.Contains(1L, flushCounts);
    }

    // The three reports below write at once, so the submit that follows always makes a flush of its own: one shared
    // flush in ten trials would mean the report rode.

    [Fact]
    public async Task AFailureReport_WritesAtOnce_ItsTaskMayBeLeasableAgain()
    {
        var flushCounts = await FlushesPerReportThenSubmitAsync("ride-failure", pendingBesides: 0,
            leased => new TaskOutcome.Failed(new TaskError("boom", null, null, leased.Attempt, TimeProvider.System.GetUtcNow()), Retryable: false),
            parkAWaiter: false);
        Assert.All(flushCounts, f => Assert.Equal(2, f));
    }

    [Fact]
    public async Task AReportWhileTasksArePending_WritesAtOnce_TheDrainNeedsItsWrite()
    {
        var flushCounts = await FlushesPerReportThenSubmitAsync("ride-backlog", pendingBesides: 1, Success, parkAWaiter: false);
        Assert.All(flushCounts, f => Assert.Equal(2, f));
    }

    [Fact]
    public async Task AReportSomeoneWaitsFor_WritesAtOnce_TheWaiterIsAnsweredWithoutTheTimersDelay()
    {
        var flushCounts = await FlushesPerReportThenSubmitAsync("ride-waited", pendingBesides: 0, Success, parkAWaiter: true);
        Assert.All(flushCounts, f => Assert.Equal(2, f));
    }

    private static TaskOutcome Success(LeasedTask leased) => new TaskOutcome.Succeeded("\"x\""u8.ToArray());

    /// <summary>
    /// Ten trials of: lease one task, let Redis go quiet, report it, then submit one more once the report is applied.
    /// Returns the flushes (grain-storage writes) each trial's report and submit made together.
    /// </summary>
    private async Task<List<long>> FlushesPerReportThenSubmitAsync(string queue, int pendingBesides, Func<LeasedTask, TaskOutcome> outcome, bool parkAWaiter)
    {
        // No worker loops: the test is the worker, so it decides what reaches the partition in which order.
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, []);
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        var submission = new TaskSubmission { TaskName = BuiltInTasks.Echo, Payload = "\"x\""u8.ToArray() };
        // The first submit also lists the queue (a storage write of its own); the others stay pending throughout.
        for (var i = 0; i <= pendingBesides; i++) await partition.SubmitAsync([submission]);
        var flushCounts = new List<long>();
        for (var trial = 0; trial < 10; trial++)
        {
            var leased = Assert.Single(await partition.LeaseAsync("w", trial, 1, TimeSpan.Zero, null));
            var waiter = parkAWaiter ? partition.WaitAsync(leased.Lease.Sequence, Timeout) : null;
            await QuietAsync(); // the lease mark's own write has landed: nothing is left to write but what follows
            var before = await fixture.Redis.CallsAsync("evalsha");
            var report = partition.CompleteAsync("w", [new TaskCompletion(leased.Lease, outcome(leased))]);
            // Two calls sent back to back may be served in either order; the submit goes once the report is applied
            // (stats are read from memory, so asking writes nothing). Asked without a pause (ClusterProbes.Eventually
            // sleeps 50 ms, long enough for the lease-mark timer to write a rider first), but bounded, so a report
            // that is never applied fails the test instead of hanging it.
            await NotRunningAsync(partition).WaitAsync(Timeout);
            await partition.SubmitAsync([submission]);
            await report;
            if (waiter is not null) Assert.Equal(TaskState.Succeeded, (await waiter)!.State);
            flushCounts.Add(await fixture.Redis.CallsAsync("evalsha") - before);
        }

        output.WriteLine($"flushes per report and submit: {string.Join(", ", flushCounts)}");
        return flushCounts;
    }

    private static async Task NotRunningAsync(ITaskQueueGrain partition)
    {
        while ((await partition.GetStatsAsync()).Running != 0) { }
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
