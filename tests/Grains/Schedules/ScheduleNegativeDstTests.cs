using DistributedTaskQueue.Schedules;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Grains.Schedules;

/// <summary>
/// Zones with negative daylight saving (Europe/Dublin's winter time, Africa/Casablanca's Ramadan time): Cronos'
/// GetOccurrences repeated the change's instant forever (Dublin, 29 March 2026, 00:00Z), so a schedule's wake-up never
/// ended and its grain hung. Invariant: occurrences are finite and strictly ascending, a year holds what it should.
/// </summary>
public sealed class ScheduleNegativeDstTests(ITestOutputHelper output)
{
    [Fact]
    public void OccurrencesInZonesWithNegativeDaylightSaving_AreStrictlyAscending_AndEnd()
    {
        string[] zones = ["Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago", "Europe/Dublin", "America/Havana", "Africa/Casablanca", "America/Asuncion", "Pacific/Chatham", "America/St_Johns", "Asia/Gaza", "Africa/Cairo", "Pacific/Apia", "America/Scoresbysund", "Antarctica/Troll", "Europe/Chisinau", "Asia/Beirut", "America/Godthab", "Pacific/Kiritimati"];
        var exprs = new[] { "30 2 * * *", "*/15 * * * *", "0 * * * *", "0 0 * * *", "30 1 * * *", "0 9-17 * * *" };
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var end = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var bad = new List<string>();
        foreach (var z in zones)
        foreach (var e in exprs)
        {
            var clock = ScheduleClock.For(new ScheduleKind.Cron(e, z), default);
            var n = clock.Between(start, end).Take(100_000).ToList();
            if (n.Count >= 100_000) bad.Add($"{z} {e}: runaway, first repeat {n.GroupBy(x => x).First(g => g.Count() > 1).Key:O}");
            else if (n.Zip(n.Skip(1)).Any(p => p.Second <= p.First)) bad.Add($"{z} {e}: not strictly ascending");
            else if (e == "0 0 * * *" && n.Count != 365) bad.Add($"{z} {e}: {n.Count} midnights in 2026");
        }
        foreach (var b in bad) output.WriteLine(b);
        Assert.Empty(bad);
    }
}
