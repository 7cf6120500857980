using DistributedTaskQueue.Schedules;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Grains.Schedules;

public sealed class ScheduleDstSweepTests(ITestOutputHelper output)
{
    private static readonly string[] Zones = ["Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago", "Europe/Dublin", "America/Havana", "Africa/Casablanca", "America/Asuncion", "Pacific/Chatham", "America/St_Johns", "Asia/Gaza", "Africa/Cairo", "Pacific/Apia", "America/Scoresbysund", "Antarctica/Troll", "Europe/Chisinau", "Asia/Beirut", "America/Godthab", "Pacific/Kiritimati"];

    // Invariant (README, "Daylight saving"): a daily time fires once a day at that local time; in a spring-forward gap,
    // once at the first valid instant after it (which may be on the next date: a gap from 23:00 to 00:00); in a fall-back
    // overlap, once at the first of the two. Zones with negative daylight saving are left out: see the skipped test below.
    [Fact]
    public void DailyAcrossTrickyZones() => AssertDaily(Zones.Except(["Europe/Dublin", "Africa/Casablanca"]));

    [Fact(Skip = "defect, left open (review-sched2): in zones with negative daylight saving Cronos fires a daily time just before the spring-forward gap an hour early, before the change: Europe/Dublin daily 01:00/01:30/01:45 fire on 29 March 2026 at 00:00Z/00:30Z/00:45Z (local 00:xx GMT) instead of at the gap end 01:00Z (02:00 IST); Africa/Casablanca daily 02:00/02:15/02:30 fire on 22 March 2026 at 01:00Z/01:15Z/01:30Z. Three occurrences a year per zone; needs a fix in or around Cronos' negative-DST handling. Tried (session 9): moving such an answer to the end of the gap that holds the wall-time match fails because .NET's own TimeZoneInfo.IsInvalidTime calls Dublin's 01:30 on 29 March 2026 valid, so neither library sees the real gap")]
    public void DailyInZonesWithNegativeDaylightSaving() => AssertDaily(["Europe/Dublin", "Africa/Casablanca"]);

    private void AssertDaily(IEnumerable<string> zones)
    {
        var failures = new List<string>();
        var times = new (int H, int M)[] { (0, 0), (0, 30), (1, 30), (2, 0), (2, 30), (3, 0), (23, 30), (1, 0), (0, 15), (2, 15), (1, 45), (22,30) };
        var from = new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero);
        foreach (var id in zones)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            foreach (var (h, m) in times)
            {
                var clock = ScheduleClock.For(new ScheduleKind.Daily(h, m, id), from);
                var fires = clock.Between(from, to).ToList();
                // The date an occurrence belongs to: its own, or the day before when it is that day's gap end.
                DateTime Scheduled(DateTimeOffset local)
                {
                    var own = local.Date.AddHours(h).AddMinutes(m);
                    var previous = own.AddDays(-1);
                    return local.DateTime != own && zone.IsInvalidTime(previous) && local.DateTime - previous < TimeSpan.FromHours(3) ? previous.Date : local.Date;
                }
                var byDate = fires.GroupBy(f => Scheduled(TimeZoneInfo.ConvertTime(f, zone))).ToDictionary(g => g.Key, g => g.ToList());
                foreach (var g in byDate.Where(g => g.Value.Count != 1)) failures.Add($"{id} {h:00}:{m:00} {g.Key:yyyy-MM-dd} fired {g.Value.Count}: {string.Join(",", g.Value.Select(x => TimeZoneInfo.ConvertTime(x, zone).ToString("O")))}");
                for (var d = new DateTime(2026, 1, 2); d < new DateTime(2026, 12, 31); d = d.AddDays(1))
                    if (!byDate.ContainsKey(d)) failures.Add($"{id} {h:00}:{m:00} {d:yyyy-MM-dd} missing");
                foreach (var f in fires)
                {
                    var local = TimeZoneInfo.ConvertTime(f, zone);
                    var wanted = Scheduled(local).AddHours(h).AddMinutes(m);
                    if (local.DateTime != wanted)
                    {
                        if (!zone.IsInvalidTime(wanted)) failures.Add($"{id} {h:00}:{m:00} fired at {local:O} though {wanted:s} valid");
                        else if (!zone.IsInvalidTime(local.DateTime.AddTicks(-1))) failures.Add($"{id} {h:00}:{m:00} fired at {local:O}, not gap end");
                    }
                    else if (zone.IsAmbiguousTime(local) && local.Offset != zone.GetAmbiguousTimeOffsets(local).Max())
                        failures.Add($"{id} {h:00}:{m:00} fired at the second {local:O}");
                }
            }
        }
        foreach (var f in failures.Take(100)) output.WriteLine(f);
        output.WriteLine($"{failures.Count} failures");
        Assert.Empty(failures);
    }

    [Fact]
    public void PlannerSimulation()
    {
        var failures = new List<string>();
        var rnd = new Random(7);
        var exprs = new[] { "30 2 * * *", "*/15 * * * *", "0 * * * *", "0 0 * * *", "30 1 * * *", "0 9-17 * * *" };
        foreach (var z in Zones)
        foreach (var e in exprs)
        {
            var clock = ScheduleClock.For(new ScheduleKind.Cron(e, z), default);
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var end = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var expected = clock.Between(start, end).ToList();
            var cursor = start;
            var fired = new List<DateTimeOffset>();
            while (clock.Next(cursor) is { } next && next <= end)
            {
                var now = next + TimeSpan.FromMilliseconds(rnd.Next(0, 2000));
                var plan = FirePlanner.Decide(clock, cursor, start, now, SchedulePolicies.Default);
                if (plan.Cursor is not { } c || c <= cursor) { failures.Add($"{z} {e}: stuck at {next:O}"); break; }
                fired.AddRange(plan.Fires);
                cursor = c;
            }
            fired = [.. fired.Where(f => f <= end)];
            if (!fired.SequenceEqual(expected)) failures.Add($"{z} {e}: fired {fired.Count} expected {expected.Count}");
        }
        foreach (var f in failures) output.WriteLine(f);
        Assert.Empty(failures);
    }

    // Invariant (README, "Refused with InvalidScheduleException"): an id that is not a zone is refused as an unknown time
    // zone naming TimeZone, whatever file or directory of the host's tzdata (or beyond it) the id points at; never another
    // exception (a tzdata directory such as "Europe" made the runtime throw SecurityException, a 500 over HTTP).
    [Theory]
    [InlineData("Europe")]
    [InlineData("America")]
    [InlineData("Europe/")]
    [InlineData("/etc/passwd")]
    [InlineData("../../../etc/passwd")]
    [InlineData("Europe/../../../../etc/passwd")]
    [InlineData("zone.tab")]
    [InlineData("tzdata.zi")]
    [InlineData("a\0b")]
    [InlineData("Mars/Olympus")]
    public void AnIdThatIsNotAZone_IsRefusedNamingTimeZone(string id)
    {
        var refused = Assert.Throws<InvalidScheduleException>(() => ScheduleRules.ResolveTimeZone(id));
        Assert.Equal("TimeZone", refused.Field);
        output.WriteLine($"{id}: {refused.Message}");
    }

    // Ids the host's tzdata holds as zone files but no one would mean: accepted or refused, never another exception.
    [Theory]
    [InlineData("Local")]
    [InlineData("posixrules")]
    [InlineData("Factory")]
    public void AnOddIdTheTzdataHolds_IsAZoneOrRefusedNamingTimeZone(string id)
    {
        try
        {
            output.WriteLine($"{id}: accepted as {ScheduleRules.ResolveTimeZone(id).Id}");
        }
        catch (InvalidScheduleException ex)
        {
            Assert.Equal("TimeZone", ex.Field);
        }
    }
}
