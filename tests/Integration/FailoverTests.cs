using System.Diagnostics;
using DistributedTaskQueue.Tests.Support;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>Silo deaths and shutdowns (TestingHost, partitions in real Redis): every task ends once, none runs twice needlessly.</summary>
[Collection(RedisGroup.Name)]
public sealed class FailoverTests(RedisFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Leases short enough for quick tests, long enough to outlast Orleans' own recovery when a killed silo
    /// held part of the grain directory (a few seconds here), so held-back tasks are reclaimed, not rerun.
    /// </summary>
    private static void FastLeases(TaskQueueSiloOptions settings)
    {
        settings.Partitions.LeaseDuration = TimeSpan.FromSeconds(10);
        settings.Worker.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
    }

    [Fact]
    public async Task KillingTheSiloRunningATask_RunsItAgainElsewhere_Once_AndRejectsTheStaleCompletion()
    {
        const string queue = "fo-kill";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 2, concurrency: 2, configure: (_, s) => FastLeases(s));
        var id = await cluster.Client.SubmitAsync(new WaitTask("victim", 4000), queue);
        var first = await WaitForExecution(queue, attempt: 1);

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.KillSiloAsync(SiloOf(cluster, first.WorkerId));
        var second = await WaitForExecution(queue, attempt: 2);
        output.WriteLine($"silo kill to task running again: {clock.ElapsedMilliseconds} ms");

        Assert.Equal("victim", await cluster.Client.WaitForResultAsync<string>(id, Timeout));
        Assert.NotEqual(first.WorkerId, second.WorkerId);
        var info = (await cluster.Client.GetTaskAsync(id))!;
        Assert.Equal(TaskState.Succeeded, info.State);
        Assert.Equal(2, info.Attempts);
        Assert.Equal(2, Executions.Of(queue).Count);

        // The first attempt's completion, replayed late as a zombie would, is rejected and counted. The count is the
        // activation's own, so the check waits until membership has settled after the kill (the grain directory may
        // briefly route calls to a second activation while it recovers the dead silo's share).
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(id.PartitionKey);
        var zombie = new TaskCompletion(new LeaseToken(id.Sequence, first.Attempt, 0), new TaskOutcome.Succeeded("\"zombie\""u8.ToArray()));
        var staleBefore = (await partition.GetStatsAsync()).StaleCompletions;
        await partition.CompleteAsync(first.WorkerId, [zombie]);
        Assert.Equal("\"victim\"", (await cluster.Client.GetTaskAsync(id))!.ResultJson);
        Assert.Equal(staleBefore + 1, (await partition.GetStatsAsync()).StaleCompletions);
        // The count is the activation's head. In one full run in five the answer came from an activation whose head said
        // 0 while the task read back Succeeded (a second activation during the directory's recovery of the killed
        // silo's share, it seems; not explained yet, #12): the count must settle on 1, never go past it.
        var settle = Stopwatch.StartNew();
        long succeeded;
        while ((succeeded = (await partition.GetStatsAsync()).Succeeded) != 1 && settle.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(200);
        output.WriteLine($"succeeded count {succeeded} after {settle.ElapsedMilliseconds} ms");
        Assert.Equal(1, succeeded);
    }

    [Fact]
    public async Task ATaskOnASiloDeclaredDead_RunsAgainAtOnce_NotAfterItsLease()
    {
        const string queue = "fo-dead";
        // Leases of 10 minutes: only the silo's death, seen through cluster membership, can bring the task back in time.
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 3, concurrency: 2, configure: (_, s) =>
        {
            s.Partitions.LeaseDuration = TimeSpan.FromMinutes(10);
            s.Worker.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
        });
        var ids = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 6).Select(i => new WaitTask($"orphan{i}", 3000)), queue);
        while (Executions.Of(queue).Count < 6) await Task.Delay(20);
        var owner = (await OwnerSilo(cluster, ids[0].PartitionKey)).SiloAddress.ToParsableString();
        // A silo that runs tasks but does not host their partition: its death reaches the partition through membership.
        var victim = Executions.Of(queue).Select(e => e.WorkerId).First(w => w != owner);
        var orphans = Executions.Of(queue).Where(e => e.WorkerId == victim).Select(e => e.Label).ToHashSet();

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.KillSiloAsync(SiloOf(cluster, victim));
        while (!orphans.All(label => Executions.Of(queue).Any(e => e.Label == label && e.Attempt == 2)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(70), $"orphans not rerun after {clock.Elapsed}");
            await Task.Delay(50);
        }
        output.WriteLine($"silo kill to its {orphans.Count} tasks running again through membership: {clock.ElapsedMilliseconds} ms");

        foreach (var id in ids) Assert.Equal(TaskState.Succeeded, (await cluster.Client.WaitAsync(id, Timeout)).State);
        var runs = Executions.Of(queue).GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(runs, run => Assert.Equal(orphans.Contains(run.Key) ? 2 : 1, run.Value));
    }

    [Fact]
    public async Task KillingTheSiloHostingTheQueueGrain_DoesNotRerunTasksRunningOnLiveSilos()
    {
        const string queue = "fo-owner";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 3, concurrency: 3, configure: (_, s) => FastLeases(s));
        var ids = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 9).Select(i => new WaitTask($"t{i}", 3000)), queue);
        while (Executions.Of(queue).Count < 9) await Task.Delay(20);
        await Task.Delay(300); // lease marks ride the next group commit; let it land

        var owner = await OwnerSilo(cluster, ids[0].PartitionKey);
        var clock = Stopwatch.StartNew();
        await cluster.Cluster.KillSiloAsync(owner);
        foreach (var id in ids) Assert.Equal(TaskState.Succeeded, (await cluster.Client.WaitAsync(id, Timeout)).State);
        output.WriteLine($"all done {clock.ElapsedMilliseconds} ms after the owner's silo was killed");

        var ownerWorker = owner.SiloAddress.ToParsableString();
        var runs = Executions.Of(queue).GroupBy(e => e.Label).ToList();
        Assert.Equal(9, runs.Count);
        foreach (var run in runs)
        {
            // Tasks that ran on the dead silo must run again; tasks on live silos must not.
            var expected = run.First().WorkerId == ownerWorker ? 2 : 1;
            Assert.True(expected == run.Count(), $"{run.Key} first ran on {run.First().WorkerId} and ran {run.Count()} times");
        }
    }

    [Fact]
    public async Task GracefulShutdown_HandsBackUnfinishedTasksAtOnce_AndDoesNotRerunFinishedOnes()
    {
        const string queue = "fo-drain";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 1, concurrency: 4, configure: (_, s) =>
        {
            // 3 s of grace for 400 ms tasks: with 1 s, a full run's load once kept the short tasks' completions from
            // landing in time, and they were handed back and ran twice. The long task still outlasts it.
            s.Worker.ShutdownGracePeriod = TimeSpan.FromSeconds(3);
            s.Worker.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
        });
        var longId = await cluster.Client.SubmitAsync(new WaitTask("long", 10_000), queue);
        var shortIds = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 3).Select(i => new WaitTask($"short{i}", 400)), queue);
        while (Executions.Of(queue).Count < 4) await Task.Delay(20);
        var draining = cluster.Cluster.Silos[0];
        await cluster.Cluster.StartAdditionalSiloAsync();

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.StopSiloAsync(draining);
        var again = await WaitForExecution(queue, attempt: 2);
        output.WriteLine($"stop began to long task running again: {clock.ElapsedMilliseconds} ms");

        // Handed back when the 3 s grace ran out, not after a 30 s lease expiry.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        var seen = string.Join(", ", Executions.Of(queue).Select(e => $"{e.Label}#{e.Attempt}@{e.WorkerId}"));
        Assert.True(again.Label == "long", $"executions: {seen}");
        foreach (var id in shortIds) Assert.True((await cluster.Client.WaitAsync(id, Timeout)).Attempts == 1, $"executions: {seen}");
        Assert.True(Executions.Of(queue).Count(e => e.Label.StartsWith("short", StringComparison.Ordinal)) == 3, $"executions: {seen}");
        Assert.Equal("long", await cluster.Client.WaitForResultAsync<string>(longId, Timeout));
        Assert.Equal(2, (await cluster.Client.GetTaskAsync(longId))!.Attempts);
        Assert.Equal(0, (await cluster.Client.GetQueueStatsAsync(queue)).Failed); // a hand-back is not a failure
    }

    private static Task<Executions.Entry> WaitForExecution(string queue, int attempt) => ClusterProbes.WaitForExecution(queue, attempt, Timeout);

    private static InProcessSiloHandle SiloOf(TaskQueueCluster cluster, string workerId) => ClusterProbes.SiloOf(cluster, workerId);

    private static Task<InProcessSiloHandle> OwnerSilo(TaskQueueCluster cluster, string partitionKey) => ClusterProbes.OwnerSilo(cluster, partitionKey);
}
