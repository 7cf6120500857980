using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>The cluster-wide worker list (<see cref="TaskClient.ListWorkersAsync"/>) on two TestingHost silos over real Redis.</summary>
[Collection(RedisGroup.Name)]
public sealed class WorkerDirectoryTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EachSilosWorker_ReportsWhatItServesAndHasRun_AndAGracefullyStoppedSilo_LeavesAtOnce()
    {
        const string queue = "wd-list";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 2, concurrency: 3, services: s => s.AddTaskHandler<BlockTaskHandler>(),
            configure: (name, s) =>
            {
                s.Worker.WorkerId = name;
                s.Worker.ReportInterval = TimeSpan.FromMilliseconds(300);
            });
        var silos = cluster.Cluster.Silos.ToDictionary(s => s.SiloAddress.ToParsableString(), s => s);
        await PinDirectoryAsync(cluster, cluster.Cluster.Silos[0]);

        var workers = await WorkersAsync(cluster, w => w.Count == 2, "both workers listed");
        Assert.Equal(silos.Keys.Order(StringComparer.Ordinal), workers.Select(w => w.Silo).Order(StringComparer.Ordinal));
        Assert.All(workers, w =>
        {
            Assert.Equal($"{silos[w.Silo].Name}@{w.Silo}", w.WorkerId);
            Assert.Equal([queue], w.Queues);
            Assert.Equal(3, w.MaxConcurrentTasks);
            Assert.True(w.StartedAt <= w.LastHeartbeat);
        });

        var gate = BlockTask.GateOf("wd-busy");
        var blocked = await cluster.Client.SubmitAsync(new BlockTask("wd-busy"), queue);
        await WorkersAsync(cluster, w => w.Sum(x => x.Busy) == 1, "the busy slot reported");
        gate.Set();
        await cluster.Client.WaitForResultAsync<string>(blocked, Timeout);
        var ids = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 20).Select(i => new RecordTask($"wd{i}")), queue);
        var failed = await cluster.Client.SubmitAsync(new FailTask("no"), queue, new TaskOptions { Retry = RetryPolicy.None });
        foreach (var id in ids) await cluster.Client.WaitForResultAsync<string>(id, Timeout);
        await Assert.ThrowsAsync<TaskExecutionException>(() => cluster.Client.WaitForResultAsync<string>(failed, Timeout));
        var counted = await WorkersAsync(cluster, w => w.Sum(x => x.Succeeded) == 21 && w.Sum(x => x.Failed) == 1 && w.Sum(x => x.Busy) == 0, "the counts reported");
        var first = counted.Single(w => w.Silo == cluster.Cluster.Silos[0].SiloAddress.ToParsableString());

        var leaving = cluster.Cluster.Silos[1];
        await cluster.Cluster.StopSiloAsync(leaving);

        var left = Assert.Single(await cluster.Client.ListWorkersAsync()); // no wait: it unregistered as it stopped
        Assert.Equal(first.WorkerId, left.WorkerId);
        Assert.Equal(first.StartedAt, left.StartedAt);
        Assert.True(left.LastHeartbeat >= first.LastHeartbeat);
    }

    [Fact]
    public async Task AWorkerThatStopsReporting_LeavesAfterThreeOfItsIntervals_AndOneOfADeadSilo_AsSoonAsMembershipSaysSo()
    {
        var clock = new ShiftedClock();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["wd-gone"], silos: 2,
            configure: (_, s) => s.Worker.ReportInterval = TimeSpan.FromMilliseconds(300), services: s => s.AddSingleton<TimeProvider>(clock));
        var survivor = cluster.Cluster.Silos[0];
        var victim = cluster.Cluster.Silos[1];
        await PinDirectoryAsync(cluster, survivor);
        await WorkersAsync(cluster, w => w.Count == 2, "both workers listed");
        var directory = cluster.Cluster.Client.GetGrain<IWorkerDirectoryGrain>(0);
        var quiet = Ghost("quiet", survivor);
        await directory.ReportAsync(quiet, TimeSpan.FromSeconds(10));
        clock.Shift(TimeSpan.FromSeconds(25));
        Assert.Contains(await cluster.Client.ListWorkersAsync(), w => w.WorkerId == "quiet");
        clock.Shift(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(await cluster.Client.ListWorkersAsync(), w => w.WorkerId == "quiet");
        await WorkersAsync(cluster, w => w.Count == 2, "the live workers, reporting on");
        // Reported with the longest interval and refreshed all along: only membership can take it off.
        await cluster.Cluster.KillSiloAsync(victim);
        var onDeadSilo = Ghost("on-dead-silo", victim);
        await ClusterProbes.Eventually(async () =>
        {
            await directory.ReportAsync(onDeadSilo, TimeSpan.FromMinutes(5));
            return (await cluster.Client.ListWorkersAsync()).All(w => w.Silo != onDeadSilo.Silo);
        }, TimeSpan.FromSeconds(60), "the dead silo's workers gone");
        var left = Assert.Single(await cluster.Client.ListWorkersAsync());
        Assert.Equal(survivor.SiloAddress.ToParsableString(), left.Silo);
    }

    [Fact]
    public async Task AReportThatHangsOrFails_NeverHoldsUpTheWorker_AndALaterOneGetsThrough()
    {
        const string queue = "wd-stuck";
        var gate = new ReportGate(holding: true);
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue],
            configure: (_, s) => s.Worker.ReportInterval = TimeSpan.FromMilliseconds(200), services: s => s.AddSingleton<IIncomingGrainCallFilter>(gate));

        // The worker's first report is held (as by a directory on a silo that stopped answering) while tasks run.
        var ids = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 10).Select(i => new RecordTask($"stuck{i}")), queue);
        foreach (var id in ids) await cluster.Client.WaitForResultAsync<string>(id, Timeout);
        Assert.Equal(1, gate.Held);

        gate.Fail();
        await ClusterProbes.Eventually(() => Task.FromResult(gate.Failed >= 3), Timeout, "failed reports retried at each interval");
        Assert.Empty(await cluster.Client.ListWorkersAsync());
        gate.Pass();

        var worker = Assert.Single(await WorkersAsync(cluster, w => w.Count == 1, "the worker listed once a report gets through"));
        Assert.Equal(10, worker.Succeeded);
    }

    [Fact]
    public async Task AStuckReport_DoesNotHoldUpAGracefulStop()
    {
        var gate = new ReportGate(holding: false);
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["wd-stop"], silos: 2,
            configure: (_, s) => s.Worker.ReportInterval = TimeSpan.FromMilliseconds(200), services: s => s.AddSingleton<IIncomingGrainCallFilter>(gate));
        var leaving = cluster.Cluster.Silos[1];
        await PinDirectoryAsync(cluster, cluster.Cluster.Silos[0]);
        gate.Hold(leaving.SiloAddress.ToParsableString());
        await ClusterProbes.Eventually(() => Task.FromResult(gate.Held == 1), Timeout, "the leaving silo's report held");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await cluster.Cluster.StopSiloAsync(leaving);
        }
        finally
        {
            gate.Fail();
        }

        // Waiting out the held call would take Orleans' 30 s call timeout: it is abandoned, and the unregister (queued
        // behind it) given up after 5 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the stop took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task TheDirectory_RefusesAReportItCouldNotExpire()
    {
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], silos: 1);
        var directory = cluster.Cluster.Client.GetGrain<IWorkerDirectoryGrain>(0);
        var ghost = Ghost("bad", cluster.Cluster.Silos[0]);

        await Assert.ThrowsAsync<ArgumentException>(() => directory.ReportAsync(ghost with { Silo = "not a silo" }, TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<ArgumentException>(() => directory.ReportAsync(ghost with { WorkerId = "" }, TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<ArgumentException>(() => directory.ReportAsync(ghost with { Queues = [.. Enumerable.Repeat("q", 1001)] }, TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => directory.ReportAsync(ghost, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => directory.ReportAsync(ghost, TimeSpan.FromDays(1)));
        Assert.Empty(await cluster.Client.ListWorkersAsync()); // a gateway-only silo runs no worker, and nothing bad was kept
    }

    private static WorkerInfo Ghost(string id, Orleans.TestingHost.InProcessSiloHandle silo) =>
        new() { WorkerId = id, Silo = silo.SiloAddress.ToParsableString(), Queues = ["wd-gone"], MaxConcurrentTasks = 1 };

    /// <summary>Keeps the directory on <paramref name="silo"/>, so stopping the other silo does not also empty it.</summary>
    private static async Task PinDirectoryAsync(TaskQueueCluster cluster, Orleans.TestingHost.InProcessSiloHandle silo)
    {
        var directory = cluster.Cluster.Client.GetGrain<IWorkerDirectoryGrain>(0);
        await directory.ListAsync();
        var grainId = directory.GetGrainId();
        var stats = await cluster.Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        // Migrating a grain to the silo it is on already waits for a move that never comes.
        if (stats.Single(s => s.GrainId == grainId).SiloAddress.Equals(silo.SiloAddress)) return;
        await cluster.Cluster.MigrateAsync(directory, silo.SiloAddress);
        await directory.ListAsync();
    }

    private static async Task<IReadOnlyList<WorkerInfo>> WorkersAsync(TaskQueueCluster cluster, Func<IReadOnlyList<WorkerInfo>, bool> condition, string what)
    {
        IReadOnlyList<WorkerInfo> workers = [];
        await ClusterProbes.Eventually(async () => condition(workers = await cluster.Client.ListWorkersAsync()), Timeout, what);
        return workers;
    }
}
