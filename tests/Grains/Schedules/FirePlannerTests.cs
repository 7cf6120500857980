using DistributedTaskQueue.Schedules;

namespace DistributedTaskQueue.Tests.Grains.Schedules;

/// <summary>
/// What one wake-up fires and skips, on fixed instants: on time, twice, late within the threshold, and after an
/// outage under each misfire policy. The planner works from the stored cursor, so ticks themselves decide nothing.
/// </summary>
public sealed class FirePlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScheduleClock EveryMinute = ScheduleClock.For(new ScheduleKind.EveryMinutes(1), T0);

    private static DateTimeOffset Minute(int n) => T0.AddMinutes(n);

    private static SchedulePolicies Policy(MisfirePolicy misfire, int thresholdSeconds = 60) =>
        new() { Misfire = misfire, MisfireThreshold = TimeSpan.FromSeconds(thresholdSeconds) };

    [Fact]
    public void AnOccurrenceReachedOnTime_Fires_AndBecomesTheCursor()
    {
        var plan = FirePlanner.Decide(EveryMinute, T0, T0, Minute(1).AddMilliseconds(3), SchedulePolicies.Default);

        Assert.Equal([Minute(1)], plan.Fires);
        Assert.Equal(0, plan.Skipped);
        Assert.Equal(Minute(1), plan.Cursor);
    }

    [Fact]
    public void ASecondWakeUpForTheSameOccurrence_FiresNothing()
    {
        var first = FirePlanner.Decide(EveryMinute, T0, T0, Minute(1), SchedulePolicies.Default);

        var second = FirePlanner.Decide(EveryMinute, first.Cursor!.Value, T0, Minute(1).AddSeconds(20), SchedulePolicies.Default);

        Assert.Empty(second.Fires);
        Assert.Null(second.Cursor);
    }

    [Fact]
    public void BeforeTheOccurrence_NothingIsDue()
    {
        var plan = FirePlanner.Decide(EveryMinute, T0, T0, Minute(1).AddTicks(-1), SchedulePolicies.Default);

        Assert.Empty(plan.Fires);
        Assert.Null(plan.Cursor);
    }

    [Fact]
    public void ALateWakeUpWithinTheThreshold_FiresEveryDueOccurrence_EvenUnderSkip()
    {
        var everyTenSeconds = ScheduleClock.For(new ScheduleKind.Cron("*/10 * * * * *"), T0);

        var plan = FirePlanner.Decide(everyTenSeconds, T0, T0, T0.AddSeconds(25), Policy(MisfirePolicy.Skip));

        Assert.Equal([T0.AddSeconds(10), T0.AddSeconds(20)], plan.Fires);
        Assert.Equal(0, plan.Skipped);
    }

    [Fact]
    public void AnOccurrenceReachedPastTheThreshold_IsMissed()
    {
        var plan = FirePlanner.Decide(EveryMinute, T0, T0, Minute(2).AddSeconds(50), Policy(MisfirePolicy.Skip));

        Assert.Equal([Minute(2)], plan.Fires); // 12:02 is 50 s late: on time
        Assert.Equal(1, plan.Missed);          // 12:01 is 110 s late: missed, and Skip skips it
        Assert.Equal(1, plan.Skipped);
    }

    [Fact]
    public void AfterAnOutage_FireOnce_FiresTheLatestMissedOccurrenceOnly()
    {
        // Fired up to 12:01, down until 12:10:30: 12:02-12:10 were missed (all more than a minute late but 12:10).
        var plan = FirePlanner.Decide(EveryMinute, Minute(1), T0, Minute(10).AddSeconds(30), Policy(MisfirePolicy.FireOnce));

        Assert.Equal([Minute(10)], plan.Fires); // 12:10 is on time; it stands for the missed ones
        Assert.Equal(8, plan.Skipped);
        Assert.Equal(Minute(10), plan.Cursor);
    }

    [Fact]
    public void AfterAnOutage_FireOnce_WithNothingOnTime_FiresOnce_UnderTheLatestMissedOccurrence()
    {
        var plan = FirePlanner.Decide(EveryMinute, Minute(1), T0, Minute(10).AddSeconds(30), Policy(MisfirePolicy.FireOnce, thresholdSeconds: 10));

        Assert.Equal([Minute(10)], plan.Fires);
        Assert.Equal(9 - 1, plan.Skipped);
        Assert.Equal(9, plan.Missed);
    }

    [Fact]
    public void AfterAnOutage_Skip_FiresNothingMissed()
    {
        var plan = FirePlanner.Decide(EveryMinute, Minute(1), T0, Minute(10).AddSeconds(30), Policy(MisfirePolicy.Skip, thresholdSeconds: 10));

        Assert.Empty(plan.Fires);
        Assert.Equal(9, plan.Skipped);
        Assert.NotNull(plan.Cursor);
        Assert.Empty(EveryMinute.Between(plan.Cursor!.Value, Minute(10).AddSeconds(30))); // all nine are dealt with
    }

    [Fact]
    public void AfterAnOutage_FireAll_FiresTheMostRecentUpToItsLimit()
    {
        var plan = FirePlanner.Decide(EveryMinute, Minute(1), T0, Minute(10).AddSeconds(30), Policy(MisfirePolicy.FireAll(3), thresholdSeconds: 10));

        Assert.Equal([Minute(8), Minute(9), Minute(10)], plan.Fires);
        Assert.Equal(6, plan.Skipped);
        Assert.Equal(Minute(10), plan.Cursor);
    }

    [Fact]
    public void AfterAnOutage_FireAll_UnderItsLimit_FiresEachMissedAndEachOnTime()
    {
        var plan = FirePlanner.Decide(EveryMinute, Minute(1), T0, Minute(10).AddSeconds(30), Policy(MisfirePolicy.FireAll(100)));

        Assert.Equal(Enumerable.Range(2, 9).Select(Minute), plan.Fires);
        Assert.Equal(0, plan.Skipped);
    }

    [Fact]
    public void AOnceScheduleSetForAPastTime_IsOnTime_FromWhenItWasSet()
    {
        var at = T0.AddDays(-3);
        var clock = ScheduleClock.For(new ScheduleKind.Once(at), T0);

        var plan = FirePlanner.Decide(clock, at.AddTicks(-1), T0, T0.AddMilliseconds(5), Policy(MisfirePolicy.Skip));

        Assert.Equal([at], plan.Fires);
        Assert.Equal(0, plan.Skipped);
    }

    [Fact]
    public void ALongOutageOfAPerSecondCron_IsCountedUpToTheCap_AndFireAllStillFiresTheLatest()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Cron("* * * * * *"), T0);
        var now = T0.AddDays(3); // 259,200 occurrences missed

        var plan = FirePlanner.Decide(clock, T0, T0, now, Policy(MisfirePolicy.FireAll(5)));

        // 61 on time (the last minute, inclusive of both ends) and the five latest missed before them.
        Assert.Equal(66, plan.Fires.Count);
        Assert.Equal(now.AddSeconds(-65), plan.Fires[0]);
        Assert.Equal(now, plan.Fires[^1]);
        Assert.Equal(FirePlanner.MaxCounted, plan.Missed);
        Assert.Equal(FirePlanner.MaxCounted + 61 - 66, plan.Skipped);
    }

    [Fact]
    public void ATimingSetInsideTheThreshold_MissesNothing()
    {
        var definedAt = Minute(10);
        var clock = ScheduleClock.For(new ScheduleKind.Cron("*/10 * * * * *"), definedAt);

        var plan = FirePlanner.Decide(clock, definedAt, definedAt, definedAt.AddSeconds(35), Policy(MisfirePolicy.Skip));

        Assert.Equal(3, plan.Fires.Count);
        Assert.Equal(0, plan.Skipped);
    }
}
