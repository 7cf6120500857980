using System.Diagnostics;
using DistributedTaskQueue.Execution;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// The executor grain where Orleans places it, called by the partition consumers of a real cluster on real Redis: every
/// execution goes through it on the silo that leased the task; a cancel still reaches a handler it started; attempts a
/// failed call never started go back without counting a failure.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ExecutorGrainTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryExecution_IsStartedByTheExecutorGrainOfTheSiloThatLeasedIt_InFewerCallsThanTasks()
    {
        const string queue = "exec-local";
        var probe = new ExecutorCallProbe();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 2, concurrency: 4,
            services: s => s.AddSingleton(sp => probe.On(sp.GetRequiredService<ILocalSiloDetails>())));
        // Slow enough that one silo's 4 slots cannot take them all: both silos run some.
        var ids = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 40).Select(i => new RecordTask($"local-{i}", 50)), queue);

        foreach (var id in ids) await cluster.Client.WaitForResultAsync<string>(id, Timeout);

        var executions = Executions.Of(queue);
        Assert.Equal(40, executions.Count);
        foreach (var silo in cluster.Cluster.Silos)
        {
            var address = silo.SiloAddress.ToParsableString();
            var lanes = cluster.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<ExecutionLanes>();
            var ranHere = executions.Count(e => e.WorkerId == address);
            Assert.True(ranHere > 0, $"silo {address} ran nothing");
            // A call that reached another silo would find no lane there and start nothing: every call here was this silo's.
            Assert.Equal(ranHere, lanes.AttemptsStarted);
            Assert.Equal(lanes.Sessions, probe.ReceivedOn(address));
            Assert.InRange(probe.ReceivedOn(address), 1, ranHere);
        }
        Assert.Equal(0, probe.Failed);
    }

    [Fact]
    public async Task ACancel_ReachesARunningHandlerTheExecutorGrainStarted_WhileItsCallIsUnderWay()
    {
        const string queue = "exec-cancel";
        var probe = new ExecutorCallProbe();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue],
            services: s => s.AddSingleton(sp => probe.On(sp.GetRequiredService<ILocalSiloDetails>())));
        var silo = cluster.Cluster.Silos[0].SiloAddress;
        var lanes = cluster.Cluster.GetSiloServiceProvider(silo).GetRequiredService<ExecutionLanes>();
        var id = await cluster.Client.SubmitAsync(new WaitTask("long", 60_000), queue);
        await ClusterProbes.WaitForExecution(queue, 1, Timeout);

        Assert.Equal(1, lanes.AttemptsStarted);
        // The session that started it lasts while it runs.
        Assert.Equal(1, probe.UnderWayOn(silo.ToParsableString()));
        var clock = Stopwatch.StartNew();
        Assert.True(await cluster.Client.CancelAsync(id));
        await Assert.ThrowsAsync<TaskCancelledException>(() => cluster.Client.WaitForResultAsync<string>(id, Timeout));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"cancel took {clock.Elapsed}");
        Assert.Equal(TaskState.Cancelled, (await cluster.Client.GetTaskAsync(id))!.State);
        // Quiet for a Linger, the session ends.
        await ClusterProbes.Eventually(() => Task.FromResult(probe.UnderWayOn(silo.ToParsableString()) == 0), Timeout, "the session to end");
        Assert.Equal(0, probe.Failed);
    }

    [Fact]
    public async Task AttemptsAFailedExecutorCallNeverStarted_AreHandedBack_AndRunOnceWithoutAFailure()
    {
        const string queue = "exec-refused";
        var probe = new ExecutorCallProbe();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue],
            services: s => s.AddSingleton(sp => probe.On(sp.GetRequiredService<ILocalSiloDetails>())));
        probe.RefuseNext(1);

        var id = await cluster.Client.SubmitAsync(new RecordTask("refused"), queue);

        Assert.Equal("refused", await cluster.Client.WaitForResultAsync<string>(id, Timeout));
        Assert.Equal(1, probe.Failed);
        Assert.True(probe.Received >= 2, $"{probe.Received} executor calls");
        Assert.Single(Executions.Of(queue)); // the refused call started nothing
        Assert.Equal(0, (await cluster.Client.GetQueueStatsAsync(queue)).Failed); // a hand-back is not a failure
    }

    [Fact]
    public async Task AHandlerThatBlocksItsThread_StallsNeitherTheLeaseLoopNorTheSessionThatStartedIt()
    {
        const string queue = "exec-block";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], concurrency: 2,
            services: s => s.AddTaskHandler<BlockTaskHandler>());
        var label = $"block-{Guid.NewGuid():N}";
        var gate = BlockTask.GateOf(label);
        try
        {
            var blocked = await cluster.Client.SubmitAsync(new BlockTask(label), queue);
            await ClusterProbes.WaitForExecution(queue, 1, Timeout, label);

            // The other slot still takes work, and the session still starts it.
            var next = await cluster.Client.SubmitAsync(new RecordTask("next"), queue);
            Assert.Equal("next", await cluster.Client.WaitForResultAsync<string>(next, TimeSpan.FromSeconds(10)));

            gate.Set();
            Assert.Equal(label, await cluster.Client.WaitForResultAsync<string>(blocked, Timeout));
        }
        finally
        {
            gate.Set();
        }
    }
}
