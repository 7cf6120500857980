using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Redis itself dies under a running cluster (SIGKILL) and comes back on the same port with its AOF file
/// (appendfsync always): nothing a submit acknowledged is lost, and the cluster recovers on its own.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Partitions, storage and reminders on the Redis that dies (membership is the test cluster's own).
    /// 2 s: within StackExchange.Redis's 5 s command timeout, so commands wait for the reconnect. 8 s: past it,
    /// so partition writes and reads fail, their grains deactivate and must reload from the restarted Redis.
    /// </summary>
    [Theory]
    [InlineData(2000)]
    [InlineData(8000)]
    public async Task ARedisCrashAndRestart_UnderARunningCluster_LosesNoAcknowledgedTask_AndSubmitsRecoverWithoutRestartingSilos(int outageMilliseconds)
    {
        var queue = $"rr-restart-{outageMilliseconds}";
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "always");
        await using var cluster = await TaskQueueCluster.StartAsync(redis, [queue], silos: 2, concurrency: 4);

        var acknowledged = await SubmitThroughARestartAsync(redis, outageMilliseconds, label => cluster.Client.SubmitAsync(new RecordTask(label), queue));

        var notSucceeded = await NotSucceededAsync(cluster.Client, acknowledged, (_, _) => true);
        var runs = Executions.Of(queue).GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{runs.Values.Sum()} executions of {runs.Count} labels; {runs.Count(r => r.Value > 1)} ran more than once");
        foreach (var again in Executions.Of(queue).Where(e => runs[e.Label] > 1).Take(10))
            output.WriteLine($"  ran again: {again.Label} ({acknowledged.GetValueOrDefault(again.Label)}) attempt {again.Attempt} on {again.WorkerId}");
        Assert.True(notSucceeded.Count == 0, $"{notSucceeded.Count} acknowledged tasks did not succeed: {string.Join("; ", notSucceeded.Take(10))}");
        Assert.All(acknowledged.Keys, label => Assert.True(runs.ContainsKey(label), $"acknowledged task {label} never ran"));
    }

    /// <summary>
    /// As deployed: silo processes and a client that meet only through Redis clustering, so the membership
    /// table (and the client's gateway list) lives in the Redis that dies too.
    /// </summary>
    // Failed about 1 run in 8 under load until the end of a failover hold reached parked polls on every tick (see
    // FailoverHoldRedisTests.TasksHeldAtActivation_ReachParkedWorkersOnTwoSilos_EvenWhenTheFirstTickAfterTheHoldIsLate).
    [Fact]
    public async Task ARedisCrashAndRestart_UnderSiloProcessesOnRedisClustering_LosesNoAcknowledgedTask_AndRecoversByItself()
    {
        const string queue = "rr-process";
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "always");
        var clusterId = "rr-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await SiloProcess.StartAsync(redis, clusterId, [queue]);
        await using var second = await SiloProcess.StartAsync(redis, clusterId, [queue]);
        await using var client = await TaskClient.ConnectAsync(redis.ConnectionString, o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
        });

        var acknowledged = await SubmitThroughARestartAsync(redis, 2000, label => client.SubmitAsync(BuiltInTasks.Echo, JsonSerializer.Serialize(label), queue));

        var notSucceeded = await NotSucceededAsync(client, acknowledged, (label, info) => info.ResultJson == JsonSerializer.Serialize(label));
        Assert.True(notSucceeded.Count == 0,
            $"{notSucceeded.Count} acknowledged tasks did not succeed: {string.Join("; ", notSucceeded.Take(10))}\nsilo 1:\n{Tail(first.Output)}\nsilo 2:\n{Tail(second.Output)}");
    }

    /// <summary>
    /// Four producers submit without pause; Redis is SIGKILLed after 1.5 s and restarted after the outage; they
    /// go on until a submit started after the restart is acknowledged (and 2 s more). Returns every acknowledged
    /// label and id; a submit that threw <see cref="TaskQueueUnavailableException"/> was not acknowledged.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, TaskId>> SubmitThroughARestartAsync(RedisServer redis, int outageMilliseconds, Func<string, Task<TaskId>> submit)
    {
        var clock = Stopwatch.StartNew();
        var acknowledged = new ConcurrentDictionary<string, TaskId>();
        var refused = new ConcurrentQueue<(TimeSpan At, string Error)>();
        // Ticks of the clock, shared with the producers: when Redis was back, and the first acknowledged submit started after that.
        var restartedTicks = long.MaxValue;
        var firstAckTicks = long.MaxValue;
        var next = 0;
        using var stop = new CancellationTokenSource();

        async Task ProduceAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var label = $"t{Interlocked.Increment(ref next)}";
                var startedAt = clock.Elapsed;
                try
                {
                    acknowledged[label] = await submit(label);
                    if (startedAt.Ticks > Interlocked.Read(ref restartedTicks)) Interlocked.CompareExchange(ref firstAckTicks, clock.Elapsed.Ticks, long.MaxValue);
                }
                catch (TaskQueueUnavailableException ex)
                {
                    refused.Enqueue((clock.Elapsed, $"{ex.InnerException?.GetType().Name}: {ex.Message}"));
                    await Task.Delay(50);
                }
                await Task.Delay(5);
            }
        }

        var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(ProduceAsync)).ToArray();
        await Task.Delay(1500);
        var beforeKill = acknowledged.Count;
        await redis.KillAsync();
        var killedAt = clock.Elapsed;
        await Task.Delay(outageMilliseconds);
        await redis.RestartAsync();
        var restartedAt = clock.Elapsed;
        Interlocked.Exchange(ref restartedTicks, restartedAt.Ticks);
        output.WriteLine($"{beforeKill} acknowledged before the kill at {killedAt.TotalSeconds:0.0} s; Redis back at {restartedAt.TotalSeconds:0.0} s");

        // The cluster must take submits again by itself (no silo is restarted).
        while (Interlocked.Read(ref firstAckTicks) == long.MaxValue && clock.Elapsed - restartedAt < RecoveryDeadline) await Task.Delay(100);
        var recovered = Interlocked.Read(ref firstAckTicks) != long.MaxValue;
        if (recovered) await Task.Delay(2000); // keep submitting a while after recovery
        await stop.CancelAsync();
        await Task.WhenAll(producers);
        output.WriteLine((recovered ? $"submits acknowledged again {(TimeSpan.FromTicks(firstAckTicks) - restartedAt).TotalSeconds:0.0} s after Redis came back; " : "submits never recovered; ") +
                         $"{acknowledged.Count} acknowledged, {refused.Count} refused in all");
        foreach (var error in refused.GroupBy(r => r.Error[..Math.Min(r.Error.Length, 300)]).Take(10))
            output.WriteLine($"  refused x{error.Count()} ({error.Min(e => e.At).TotalSeconds:0.0}-{error.Max(e => e.At).TotalSeconds:0.0} s): {error.Key}");
        Assert.True(recovered, $"no submit was acknowledged within {RecoveryDeadline.TotalSeconds} s of Redis coming back");
        Assert.True(acknowledged.Count > beforeKill, "nothing was acknowledged after the restart");
        return acknowledged;
    }

    /// <summary>Waits (within the recovery deadline) for every acknowledged task; returns those that did not end Succeeded as expected.</summary>
    private static async Task<List<string>> NotSucceededAsync(TaskClient client, IReadOnlyDictionary<string, TaskId> acknowledged, Func<string, TaskInfo, bool> expected)
    {
        var deadline = Stopwatch.StartNew();
        var notSucceeded = new List<string>();
        foreach (var (label, id) in acknowledged)
        {
            var left = RecoveryDeadline - deadline.Elapsed;
            try
            {
                var info = await client.WaitAsync(id, left > TimeSpan.Zero ? left : TimeSpan.Zero);
                if (info.State != TaskState.Succeeded || !expected(label, info)) notSucceeded.Add($"{label} {id} {info.State} {info.ResultJson}");
            }
            catch (TaskQueueException ex)
            {
                notSucceeded.Add($"{label} {id}: {ex.GetType().Name} {ex.Message}");
            }
        }
        return notSucceeded;
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));
}
