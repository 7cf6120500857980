using DistributedTaskQueue.Schedules;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// Reminder ticks delivered twice, late and after an outage, on a fake schedule clock, against real grains on a real
/// Redis: each produces exactly the tasks the policies say, counted in the queue. No worker runs, so every task a
/// schedule submitted stays pending and is counted.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleFiringTests(RedisFixture fixture) : ScheduleClusterTest(fixture)
{
    [Fact]
    public async Task TicksTwiceAndLate_FireEachOccurrenceOnce()
    {
        const string queue = "sf-ticks";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("ticks", new RecordTask("tick"), queue, 1);

        await ScheduleProbe.TickAsync(cluster, "ticks");
        Assert.Equal(0, await PendingAsync(cluster, queue)); // nothing due yet

        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "ticks");
        await ScheduleProbe.TickAsync(cluster, "ticks"); // the same tick again
        Assert.Equal(1, await PendingAsync(cluster, queue));

        Time.Advance(TimeSpan.FromSeconds(40));
        await ScheduleProbe.TickAsync(cluster, "ticks"); // between occurrences
        Assert.Equal(1, await PendingAsync(cluster, queue));

        Time.Advance(TimeSpan.FromSeconds(50)); // 12:02:30: the 12:02 occurrence, 30 s late
        await ScheduleProbe.TickAsync(cluster, "ticks");
        await ScheduleProbe.TickAsync(cluster, "ticks");
        Assert.Equal(2, await PendingAsync(cluster, queue));

        var info = await ScheduleProbe.InfoAsync(cluster, "ticks");
        Assert.Equal(2, info.FireCount);
        Assert.Equal(0, info.SkipCount);
        Assert.Equal(Start.AddMinutes(2), info.LastOccurrence);
        Assert.Equal(Start.AddMinutes(3), info.NextRun);
        Assert.Equal([Start.AddMinutes(2), Start.AddMinutes(1)], info.RecentFires.Select(f => f.Occurrence));
        var tasks = await ScheduleProbe.TasksAsync(cluster, queue, info.LastTaskId);
        Assert.Equal(info.RecentFires.Select(f => f.TaskId.Sequence).Order(), tasks.Select(t => t.Id.Sequence));
        Assert.Equal(TaskState.Pending, info.LastTaskState);
    }

    [Theory]
    [InlineData("Skip", 0, 5)]
    [InlineData("FireOnce", 1, 4)]
    [InlineData("FireAll3", 3, 2)]
    [InlineData("FireAll10", 5, 0)]
    public async Task AfterAnOutage_TheMisfirePolicyDecides_FromTheStoredLastOccurrence(string policy, int expectedCatchUp, int expectedSkips)
    {
        var queue = $"sf-outage-{policy.ToLowerInvariant()}";
        var misfire = policy switch
        {
            "Skip" => MisfirePolicy.Skip,
            "FireOnce" => MisfirePolicy.FireOnce,
            "FireAll3" => MisfirePolicy.FireAll(3),
            _ => MisfirePolicy.FireAll(10),
        };
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("outage", new RecordTask("o"), queue, 5, policies: new SchedulePolicies { Misfire = misfire });
        Time.Advance(TimeSpan.FromMinutes(5));
        await ScheduleProbe.TickAsync(cluster, "outage");
        Assert.Equal(1, await PendingAsync(cluster, queue));

        // Down from 12:05 to 12:32:30: 12:10, 12:15, 12:20, 12:25 and 12:30 were missed (the last one by 150 s).
        Time.Advance(TimeSpan.FromMinutes(27.5));
        await ScheduleProbe.TickAsync(cluster, "outage");
        await ScheduleProbe.TickAsync(cluster, "outage");

        Assert.Equal(1 + expectedCatchUp, await PendingAsync(cluster, queue));
        var info = await ScheduleProbe.InfoAsync(cluster, "outage");
        Assert.Equal(1 + expectedCatchUp, info.FireCount);
        Assert.Equal(expectedSkips, info.SkipCount);
        var caughtUp = info.RecentFires.Take(expectedCatchUp).Select(f => f.Occurrence).Order();
        Assert.Equal(Enumerable.Range(0, expectedCatchUp).Select(i => Start.AddMinutes(30 - (5 * (expectedCatchUp - 1 - i)))), caughtUp);
        Assert.Equal(Start.AddMinutes(35), info.NextRun);
    }

    [Fact]
    public async Task AnUpsertOfTheSameTimingAfterAnOutage_KeepsTheMissedOccurrencesForTheMisfirePolicy()
    {
        // An app that schedules at every start: its first call after an outage must not erase what was missed.
        const string queue = "sf-upsert-outage";
        await using var cluster = await StartAsync();
        var policies = new SchedulePolicies { Misfire = MisfirePolicy.FireAll(10) };
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("startup", new RecordTask("s"), queue, 5, policies: policies);

        Time.Advance(TimeSpan.FromMinutes(17.5)); // 12:05, 12:10, 12:15 missed
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("startup", new RecordTask("s"), queue, 5, policies: policies);
        await ScheduleProbe.TickAsync(cluster, "startup");

        Assert.Equal(3, await PendingAsync(cluster, queue));
        Assert.Equal(Start.AddMinutes(20), (await ScheduleProbe.InfoAsync(cluster, "startup")).NextRun);
    }

    [Fact]
    public async Task AnOccurrenceSubmittedJustBeforeACrash_IsNotSubmittedAgain()
    {
        const string queue = "sf-crash";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("crash", new RecordTask("c"), queue, 1);
        Time.Advance(TimeSpan.FromMinutes(1));
        // As if the grain submitted 12:01 and its silo died before the grain wrote its cursor.
        var incarnation = (await ScheduleProbe.InfoAsync(cluster, "crash")).Incarnation;
        var key = ScheduleKeys.ForOccurrence("crash", incarnation, Start.AddMinutes(1));
        Assert.Equal($"crash:2026-06-01T12:01:00.0000000Z:{incarnation}", key);
        var early = await cluster.Client.SubmitAsync(new RecordTask("c"), queue, new TaskOptions { IdempotencyKey = key });

        await ScheduleProbe.TickAsync(cluster, "crash");

        Assert.Equal(1, await PendingAsync(cluster, queue));
        var info = await ScheduleProbe.InfoAsync(cluster, "crash");
        Assert.Equal(early, info.LastTaskId);
        Assert.Equal(1, info.FireCount);
    }

    [Fact]
    public async Task SkipIfRunning_SkipsWhileThePreviousTaskWaits_AndFiresOnceItEnds()
    {
        const string queue = "sf-overlap";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("overlap", new RecordTask("v"), queue, 1,
            policies: new SchedulePolicies { Overlap = OverlapPolicy.SkipIfRunning });

        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "overlap");
        var first = (await ScheduleProbe.InfoAsync(cluster, "overlap")).LastTaskId!.Value;

        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "overlap"); // the first is still pending: skipped
        Assert.Equal(1, await PendingAsync(cluster, queue));

        Assert.True(await cluster.Client.CancelAsync(first));
        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "overlap");

        var info = await ScheduleProbe.InfoAsync(cluster, "overlap");
        Assert.Equal(2, info.FireCount);
        Assert.Equal(1, info.SkipCount);
        Assert.Equal(Start.AddMinutes(3), info.LastOccurrence);
        Assert.Equal(1, await PendingAsync(cluster, queue));
        Assert.Equal(2, (await ScheduleProbe.TasksAsync(cluster, queue, info.LastTaskId)).Count);
    }

    [Fact]
    public async Task Allow_FiresWhateverThePreviousTaskIsDoing()
    {
        const string queue = "sf-allow";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("allow", new RecordTask("a"), queue, 1);

        for (var i = 0; i < 3; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            await ScheduleProbe.TickAsync(cluster, "allow");
        }

        Assert.Equal(3, await PendingAsync(cluster, queue));
        Assert.Equal(0, (await ScheduleProbe.InfoAsync(cluster, "allow")).SkipCount);
    }

    [Fact]
    public async Task SkipIfRunning_WithFireAll_FiresOnlyTheLatestMissed()
    {
        const string queue = "sf-overlap-all";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("overlap-all", new RecordTask("v"), queue, 5,
            policies: new SchedulePolicies { Overlap = OverlapPolicy.SkipIfRunning, Misfire = MisfirePolicy.FireAll(10) });

        Time.Advance(TimeSpan.FromMinutes(17.5)); // 12:05, 12:10 and 12:15 missed
        await ScheduleProbe.TickAsync(cluster, "overlap-all");

        var info = await ScheduleProbe.InfoAsync(cluster, "overlap-all");
        Assert.Equal(1, await PendingAsync(cluster, queue));
        Assert.Equal(Start.AddMinutes(15), info.LastOccurrence);
        Assert.Equal(2, info.SkipCount);
    }

    [Fact]
    public async Task AOnceSchedule_FiresOnce_ThenStopsAndNeedsNoReminder()
    {
        const string queue = "sf-once";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleOnceAsync("once", new RecordTask("b"), queue, Start.AddHours(1));
        Assert.Equal(Start.AddHours(1), (await ScheduleProbe.InfoAsync(cluster, "once")).NextRun);
        Assert.True(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "once"));

        Time.Advance(TimeSpan.FromHours(1));
        await ScheduleProbe.TickAsync(cluster, "once");
        Time.Advance(TimeSpan.FromHours(1));
        await ScheduleProbe.TickAsync(cluster, "once");
        // Scheduling it again with the same time does not run it again.
        await cluster.Client.Schedules.ScheduleOnceAsync("once", new RecordTask("b"), queue, Start.AddHours(1));
        await ScheduleProbe.TickAsync(cluster, "once");

        Assert.Equal(1, await PendingAsync(cluster, queue));
        var info = await ScheduleProbe.InfoAsync(cluster, "once");
        Assert.Null(info.NextRun);
        Assert.Equal(Start.AddHours(1), info.LastOccurrence);
        Assert.False(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "once")); // nothing left to wake it for
    }
}
