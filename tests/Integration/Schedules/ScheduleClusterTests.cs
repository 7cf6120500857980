using System.Diagnostics;
using DistributedTaskQueue.Schedules;
using DistributedTaskQueue.Tests.Support;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// Schedules on real time, real silos and a real Redis: fires land at their instant (a timer, not the minute-long
/// reminder), and a schedule keeps firing across a whole-cluster restart and the loss of the silo hosting it, with no
/// duplicate and no miss beyond its misfire policy. Progress is read from the queue, never from the schedule grain,
/// so only the reminder can bring a schedule back.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleClusterTests(RedisFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private const string EveryTwoSeconds = "*/2 * * * * *";

    private static void FastReminders(TaskQueueSiloOptions settings) => settings.Schedules.ReminderPeriod = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Fires_AtEachInstant_NotAtReminderTicks()
    {
        const string queue = "sc-precise";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, []); // reminder period as shipped: 1 minute
        await cluster.Client.Schedules.ScheduleCronAsync("precise", new RecordTask("p"), queue, EveryTwoSeconds);

        await WaitForTasksAsync(cluster, queue, 6);
        await cluster.Client.Schedules.PauseAsync("precise");

        var info = await ScheduleProbe.InfoAsync(cluster, "precise");
        var fires = info.RecentFires.OrderBy(f => f.Occurrence).ToList();
        var tasks = await ScheduleProbe.TasksAsync(cluster, queue, info.LastTaskId);
        Assert.Equal(info.FireCount, tasks.Count);
        Assert.All(fires.Zip(fires.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(2), pair.Second.Occurrence - pair.First.Occurrence));
        // Lateness: from the occurrence to the moment its task was durably pending in the queue.
        var late = fires.Select(f => (tasks.Single(t => t.Id == f.TaskId).EnqueuedAt - f.Occurrence).TotalMilliseconds).Order().ToList();
        output.WriteLine($"fire lateness over {late.Count} fires: min {late[0]:0.0} ms, median {late[late.Count / 2]:0.0} ms, max {late[^1]:0.0} ms");
        Assert.All(late, ms => Assert.InRange(ms, 0, 1000));
    }

    [Fact]
    public async Task ASchedule_KeepsFiringAcrossAWholeClusterRestart_WithNoDuplicate_AndNoMissBeyondFireOnce()
    {
        const string queue = "sc-restart";
        var serviceId = Guid.NewGuid().ToString("N");
        // A short threshold, so occurrences the outage passes over are missed (not merely late) and FireOnce decides.
        var policies = new SchedulePolicies { Misfire = MisfirePolicy.FireOnce, MisfireThreshold = TimeSpan.FromSeconds(1.5) };
        long before;
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId, configure: (_, s) => FastReminders(s)))
        {
            await first.Client.Schedules.ScheduleCronAsync("restart", new RecordTask("r"), queue, EveryTwoSeconds, policies: policies);
            await WaitForTasksAsync(first, queue, 2);
            before = await PendingAsync(first, queue);
        }
        var stopped = TimeProvider.System.GetUtcNow();
        await Task.Delay(TimeSpan.FromSeconds(7)); // the whole cluster is down: three or four occurrences come and go
        var restarting = TimeProvider.System.GetUtcNow();

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId, configure: (_, s) => FastReminders(s));
        await WaitForTasksAsync(second, queue, before + 4);
        await second.Client.Schedules.PauseAsync("restart");

        var info = await ScheduleProbe.InfoAsync(second, "restart");
        output.WriteLine($"fired {info.FireCount}, skipped {info.SkipCount}; down from {stopped:HH:mm:ss.fff} to {restarting:HH:mm:ss.fff}");
        Assert.True(info.FireCount <= 10, $"the test needs every fire in RecentFires; it fired {info.FireCount}");
        var fired = info.RecentFires.Select(f => f.Occurrence).Order().ToList();
        // No duplicate: one task per fire, one fire per occurrence.
        Assert.Equal(info.FireCount, (await ScheduleProbe.TasksAsync(second, queue, info.LastTaskId)).Count);
        Assert.Equal(fired.Count, fired.Distinct().Count());
        // Nothing unaccounted: every occurrence since creation was fired or counted as skipped.
        var all = ScheduleClock.For(new ScheduleKind.Cron(EveryTwoSeconds), info.CreatedAt).Between(info.CreatedAt, fired[^1]).ToList();
        var unfired = all.Except(fired).ToList();
        Assert.Equal(unfired.Count, info.SkipCount);
        Assert.True(unfired.Count >= 2, $"expected the outage to miss occurrences, skipped {unfired.Count}");
        // Skips only across the outage: after the first cluster's last fire and before the second's first.
        var lastBeforeStop = info.RecentFires.Where(f => f.FiredAt <= stopped).Max(f => f.Occurrence);
        var firstAfterRestart = info.RecentFires.Where(f => f.FiredAt >= restarting).Min(f => f.Occurrence);
        Assert.All(unfired, u => Assert.InRange(u, lastBeforeStop, firstAfterRestart));
        // And FireOnce: at most one fire for the occurrences that came while no silo ran.
        Assert.True(fired.Count(f => f > stopped && f < restarting) <= 1, $"fired during the outage window: {string.Join(", ", fired)}");
    }

    [Fact]
    public async Task ASchedule_SurvivesTheLossOfTheSiloHostingIt_AndFiresNextOnTheOther()
    {
        const string queue = "sc-failover";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], silos: 2, configure: (_, s) => FastReminders(s));
        await cluster.Client.Schedules.ScheduleCronAsync("failover", new RecordTask("f"), queue, EveryTwoSeconds);
        await WaitForTasksAsync(cluster, queue, 2);
        var host = await HostOfAsync(cluster, "failover");

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.KillSiloAsync(host);
        var survivor = cluster.Cluster.Silos.Single(s => !s.SiloAddress.Equals(host.SiloAddress));
        var atKill = await PendingAsync(cluster, queue);
        await WaitForTasksAsync(cluster, queue, atKill + 2);
        output.WriteLine($"silo kill to two more fires: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(survivor.SiloAddress, (await HostOfAsync(cluster, "failover")).SiloAddress);
        await cluster.Client.Schedules.PauseAsync("failover");
        var info = await ScheduleProbe.InfoAsync(cluster, "failover");
        var fired = info.RecentFires.Select(f => f.Occurrence).ToList();
        Assert.Equal(fired.Count, fired.Distinct().Count());
        Assert.Equal(info.FireCount, (await ScheduleProbe.TasksAsync(cluster, queue, info.LastTaskId)).Count);
        Assert.Equal(0, info.SkipCount); // late, but within the one-minute threshold: every occurrence fired
    }

    private static async Task<long> PendingAsync(TaskQueueCluster cluster, string queue) => (await cluster.Client.GetQueueStatsAsync(queue)).Pending;

    private static async Task WaitForTasksAsync(TaskQueueCluster cluster, string queue, long count)
    {
        var clock = Stopwatch.StartNew();
        while (await PendingAsync(cluster, queue) < count)
        {
            Assert.True(clock.Elapsed < Deadline, $"{queue}: fewer than {count} tasks after {Deadline}");
            await Task.Delay(100);
        }
    }

    private static async Task<InProcessSiloHandle> HostOfAsync(TaskQueueCluster cluster, string schedule)
    {
        var grainId = cluster.Cluster.Client.GetGrain<IScheduleGrain>(schedule).GetGrainId();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var stats = await cluster.Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
            if (stats.FirstOrDefault(s => s.GrainId == grainId) is { } found)
                return cluster.Cluster.Silos.Single(s => s.SiloAddress.Equals(found.SiloAddress));
            Assert.True(clock.Elapsed < Deadline, $"schedule '{schedule}' is not active anywhere");
            await Task.Delay(100);
        }
    }
}
