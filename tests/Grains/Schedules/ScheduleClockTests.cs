using DistributedTaskQueue.Schedules;

namespace DistributedTaskQueue.Tests.Grains.Schedules;

/// <summary>
/// The next-occurrence logic on fixed instants (no clock, no sleeping): each kind, daylight saving in Europe/Berlin and
/// in Australia/Sydney (southern hemisphere), a weekly schedule across a year boundary, and refused expressions.
/// </summary>
public sealed class ScheduleClockTests
{
    private static readonly DateTimeOffset Anchor = At("2026-01-01T10:07:13Z");

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    private static List<DateTimeOffset> Ascending(ScheduleClock clock, string after, string upTo) =>
        [.. clock.Between(At(after), At(upTo))];

    private static List<DateTimeOffset> NextN(ScheduleClock clock, string after, int count)
    {
        var result = new List<DateTimeOffset>();
        var cursor = At(after);
        for (var i = 0; i < count && clock.Next(cursor) is { } next; i++) result.Add(cursor = next);
        return result;
    }

    [Fact]
    public void Once_FiresAtItsInstantOnly()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Once(At("2026-05-01T12:00:00+02:00")), Anchor);

        Assert.Equal(At("2026-05-01T10:00:00Z"), clock.Next(At("2026-05-01T09:59:59Z")));
        Assert.Null(clock.Next(At("2026-05-01T10:00:00Z")));
        Assert.Equal([At("2026-05-01T10:00:00Z")], Ascending(clock, "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"));
        Assert.Empty(Ascending(clock, "2026-05-01T10:00:00Z", "2026-05-02T00:00:00Z"));
        Assert.Equal(TimeSpan.Zero, clock.Next(At("2026-01-01T00:00:00Z"))!.Value.Offset);
    }

    [Fact]
    public void EveryMinutes_CountsFromTheAnchor_FirstFireOneIntervalLater()
    {
        var clock = ScheduleClock.For(new ScheduleKind.EveryMinutes(30), Anchor);

        Assert.Equal(At("2026-01-01T10:37:13Z"), clock.Next(Anchor));
        Assert.Equal(At("2026-01-01T10:37:13Z"), clock.Next(At("2025-12-31T00:00:00Z")));
        Assert.Equal(At("2026-01-01T11:07:13Z"), clock.Next(At("2026-01-01T10:37:13Z")));
        Assert.Equal(
            [At("2026-01-01T10:37:13Z"), At("2026-01-01T11:07:13Z"), At("2026-01-01T11:37:13Z"), At("2026-01-01T12:07:13Z")],
            Ascending(clock, "2026-01-01T10:07:13Z", "2026-01-01T12:07:13Z"));
        Assert.Equal(4, clock.Count(Anchor, At("2026-01-01T12:07:13Z"), 100));
        Assert.Equal(2, clock.Count(Anchor, At("2026-01-01T12:07:13Z"), 2));
        Assert.Equal(48 * 365, clock.Count(Anchor, Anchor.AddDays(365), long.MaxValue));
    }

    [Fact]
    public void EveryMinutes_IgnoresDaylightSaving_ItIsAFixedIntervalInUtc()
    {
        var clock = ScheduleClock.For(new ScheduleKind.EveryMinutes(60), At("2026-03-28T23:00:00Z"));

        var fires = NextN(clock, "2026-03-28T23:00:00Z", 4);

        Assert.Equal([At("2026-03-29T00:00:00Z"), At("2026-03-29T01:00:00Z"), At("2026-03-29T02:00:00Z"), At("2026-03-29T03:00:00Z")], fires);
    }

    [Fact]
    public void Daily_InUtc_FiresAtThatTimeEveryDay()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Daily(2, 30), Anchor);

        Assert.Equal([At("2026-01-02T02:30:00Z"), At("2026-01-03T02:30:00Z"), At("2026-01-04T02:30:00Z")], NextN(clock, "2026-01-01T02:30:00Z", 3));
    }

    [Fact]
    public void Daily_InBerlin_OnTheSpringForwardDay_FiresOnce_AtTheFirstValidInstantAfterTheGap()
    {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that day.
        var clock = ScheduleClock.For(new ScheduleKind.Daily(2, 30, "Europe/Berlin"), Anchor);

        var fires = NextN(clock, "2026-03-27T12:00:00Z", 3);

        Assert.Equal([At("2026-03-28T02:30:00+01:00"), At("2026-03-29T03:00:00+02:00"), At("2026-03-30T02:30:00+02:00")], fires);
        Assert.Equal([At("2026-03-28T01:30:00Z"), At("2026-03-29T01:00:00Z"), At("2026-03-30T00:30:00Z")], fires);
        Assert.All(fires, f => Assert.Equal(TimeSpan.Zero, f.Offset));
    }

    [Fact]
    public void Daily_InBerlin_OnTheFallBackDay_FiresOnce_AtTheFirstOfTheTwo0230s()
    {
        // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice (00:30Z and 01:30Z).
        var clock = ScheduleClock.For(new ScheduleKind.Daily(2, 30, "Europe/Berlin"), Anchor);

        var fires = Ascending(clock, "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z");

        Assert.Equal([At("2026-10-25T02:30:00+02:00"), At("2026-10-26T02:30:00+01:00")], fires);
    }

    [Fact]
    public void IntervalCron_InBerlin_FiresInBothRepeatedHours_AndSkipsNothingAtEitherChange()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Cron("*/15 * * * *", "Europe/Berlin"), Anchor);

        // Fall back: the local day 25 October has 25 hours, and every quarter hour of both 02:xx hours fires.
        var autumn = Ascending(clock, "2026-10-24T21:59:59Z", "2026-10-25T22:59:59Z");
        Assert.Equal(100, autumn.Count);
        Assert.Contains(At("2026-10-25T02:15:00+02:00"), autumn);
        Assert.Contains(At("2026-10-25T02:15:00+01:00"), autumn);
        Assert.All(autumn.Zip(autumn.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(15), pair.Second - pair.First));

        // Spring forward: the local day 29 March has 23 hours; no 02:xx exists, and the UTC spacing stays 15 minutes.
        var spring = Ascending(clock, "2026-03-28T22:59:59Z", "2026-03-29T21:59:59Z");
        Assert.Equal(92, spring.Count);
        Assert.All(spring.Zip(spring.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(15), pair.Second - pair.First));
    }

    [Fact]
    public void HourlyCron_InBerlin_OnTheFallBackDay_FiresAtBothOf0200()
    {
        // A '*' in the hour field makes it an interval expression: both 02:00s fire, so the 25-hour day has 25 fires.
        var clock = ScheduleClock.For(new ScheduleKind.Cron("0 * * * *", "Europe/Berlin"), Anchor);

        var fires = Ascending(clock, "2026-10-24T21:59:59Z", "2026-10-25T22:59:59Z");

        Assert.Equal(25, fires.Count);
        Assert.Contains(At("2026-10-25T02:00:00+02:00"), fires);
        Assert.Contains(At("2026-10-25T02:00:00+01:00"), fires);
    }

    [Fact]
    public void Daily_InSydney_FollowsTheSouthernHemisphereChanges()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Daily(2, 30, "Australia/Sydney"), Anchor);

        // 5 April 2026: 03:00 AEDT becomes 02:00 AEST; 02:30 happens twice and fires once, at the first (+11:00).
        Assert.Equal(
            [At("2026-04-04T02:30:00+11:00"), At("2026-04-05T02:30:00+11:00"), At("2026-04-06T02:30:00+10:00")],
            NextN(clock, "2026-04-03T00:00:00Z", 3));
        // 4 October 2026: 02:00 AEST becomes 03:00 AEDT; 02:30 does not exist and fires at 03:00 AEDT.
        Assert.Equal(
            [At("2026-10-03T02:30:00+10:00"), At("2026-10-04T03:00:00+11:00"), At("2026-10-05T02:30:00+11:00")],
            NextN(clock, "2026-10-02T00:00:00Z", 3));
    }

    [Fact]
    public void Weekly_CrossesTheYearBoundary_OnTheRightWeekday()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Weekly(DayOfWeek.Friday, 9, 0, "Europe/Berlin"), Anchor);

        var fires = NextN(clock, "2026-12-20T00:00:00Z", 3);

        Assert.Equal([At("2026-12-25T09:00:00+01:00"), At("2027-01-01T09:00:00+01:00"), At("2027-01-08T09:00:00+01:00")], fires);
        Assert.All(fires, f => Assert.Equal(DayOfWeek.Friday, TimeZoneInfo.ConvertTime(f, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).DayOfWeek));
    }

    [Fact]
    public void Weekly_Monday0900Utc_FromTheLastDaysOfTheYear()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Weekly(DayOfWeek.Monday, 9, 0), Anchor);

        Assert.Equal([At("2027-01-04T09:00:00Z"), At("2027-01-11T09:00:00Z")], NextN(clock, "2026-12-30T12:00:00Z", 2));
        Assert.Equal(At("2026-12-28T09:00:00Z"), clock.Next(At("2026-12-28T08:59:59Z")));
    }

    [Fact]
    public void Cron_WithSeconds_HasSixFields()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Cron("*/10 * * * * *"), Anchor);

        Assert.Equal([At("2026-01-01T12:00:10Z"), At("2026-01-01T12:00:20Z")], NextN(clock, "2026-01-01T12:00:03Z", 2));
        Assert.Equal(8640, clock.Count(At("2026-01-01T00:00:00Z"), At("2026-01-02T00:00:00Z"), long.MaxValue));
        Assert.Equal(100, clock.Count(At("2026-01-01T00:00:00Z"), At("2026-01-02T00:00:00Z"), 100));
    }

    [Fact]
    public void Cron_InATimeZone_AndAMacro()
    {
        var berlin = ScheduleClock.For(new ScheduleKind.Cron("0 9 * * MON-FRI", "Europe/Berlin"), Anchor);
        Assert.Equal(At("2026-01-05T08:00:00Z"), berlin.Next(At("2026-01-02T08:00:00Z"))); // Friday 2 Jan 09:00 CET is 08:00Z: strictly after, so Monday

        var daily = ScheduleClock.For(new ScheduleKind.Cron("@daily"), Anchor);
        Assert.Equal(At("2026-01-02T00:00:00Z"), daily.Next(Anchor));
    }

    [Fact]
    public void Between_ExcludesItsLowerBound_AndIncludesItsUpperBound()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Cron("0 * * * *"), Anchor);

        Assert.Equal([At("2026-01-01T11:00:00Z"), At("2026-01-01T12:00:00Z")], Ascending(clock, "2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z"));
        Assert.Equal(2, clock.Count(At("2026-01-01T10:00:00Z"), At("2026-01-01T12:00:00Z"), 10));
        Assert.Equal(At("2026-01-01T11:00:00Z"), clock.Between(At("2026-01-01T10:00:00Z"), At("2026-01-01T12:00:00Z")).First());
    }

    [Fact]
    public void ACronThatMatchesNoDate_HasNoNextOccurrence()
    {
        var clock = ScheduleClock.For(new ScheduleKind.Cron("0 0 30 2 *"), Anchor);

        Assert.Null(clock.Next(Anchor));
    }

    [Theory]
    [InlineData("61 * * * *", "Cron")]
    [InlineData("* * *", "Cron")]
    [InlineData("* * * * * * *", "Cron")]
    [InlineData("H * * * *", "Cron")]
    [InlineData("not cron at all", "Cron")]
    public void BadCronExpressions_AreRefused_NamingTheField(string expression, string field)
    {
        var refused = Assert.Throws<InvalidScheduleException>(() => ScheduleClock.For(new ScheduleKind.Cron(expression), Anchor));

        Assert.Equal(field, refused.Field);
        Assert.Contains(expression.Trim(), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownTimeZone_IsRefused()
    {
        var refused = Assert.Throws<InvalidScheduleException>(() => ScheduleClock.For(new ScheduleKind.Daily(2, 30, "Mars/Olympus_Mons"), Anchor));

        Assert.Equal("TimeZone", refused.Field);
        Assert.Contains("Mars/Olympus_Mons", refused.Message, StringComparison.Ordinal);
    }
}
