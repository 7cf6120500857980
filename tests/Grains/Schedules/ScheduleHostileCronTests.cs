using DistributedTaskQueue.Schedules;

namespace DistributedTaskQueue.Tests.Grains.Schedules;

/// <summary>
/// Hostile cron strings and timings (review-sched2): each either compiles into a clock whose next occurrences can be
/// computed, or is refused as an <see cref="InvalidScheduleException"/> naming a field, never another exception (which
/// the JSON API answers 500 and the C# client sees as an unexpected type).
/// </summary>
public sealed class ScheduleHostileCronTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0 9 * * *\n")]
    [InlineData("0\t9\t*\t*\t*")]
    [InlineData("0\u00a09 * * *")]
    [InlineData("0 9 * * MON-")]
    [InlineData("*/0 * * * *")]
    [InlineData("0-59/-1 * * * *")]
    [InlineData("9999999999 * * * *")]
    [InlineData("99999999999999999999 * * * *")]
    [InlineData("60 * * * *")]
    [InlineData("1-2-3 * * * *")]
    [InlineData("0 0 L * *")]
    [InlineData("0 0 LW * *")]
    [InlineData("0 0 L-40 * *")]
    [InlineData("0 0 L-30 2 *")]
    [InlineData("0 0 32W * *")]
    [InlineData("0 0 0W * *")]
    [InlineData("0 0 ? * 5#6")]
    [InlineData("0 0 ? * 5#0")]
    [InlineData("0 0 * * 5L")]
    [InlineData("0 0 * * 7#5")]
    [InlineData("0 0 1-31/100 * *")]
    [InlineData("0 0 31 4,6,9,11 *")]
    [InlineData("0 0 31W 2 *")]
    [InlineData("0 0 LW 2 *")]
    [InlineData("0 0 29 2 *")]
    [InlineData("@")]
    [InlineData("@ daily")]
    [InlineData("@daily foo")]
    [InlineData("@every_second")]
    [InlineData("@reboot")]
    [InlineData("@DAILY")]
    [InlineData("* * * * * * *")]
    [InlineData("*")]
    [InlineData("? ? ? ? ?")]
    [InlineData("0 0 * JAN-DEC/13 *")]
    [InlineData("0 0 * * SUN-SAT/0")]
    [InlineData("0 0 * * 0-7")]
    [InlineData("0 0 * * 8")]
    [InlineData("0 0 0 * *")]
    [InlineData("0 0 * 0 *")]
    [InlineData("0 0 * 13 *")]
    [InlineData("59-0 * * * *")]
    [InlineData("0 23-1 * * *")]
    [InlineData("H H * * *")]
    [InlineData("0 ０ * * *")]
    [InlineData(",,, * * * *")]
    [InlineData("0/ * * * *")]
    [InlineData("/5 * * * *")]
    public void AnOddCronString_CompilesOrIsRefusedNamingCron(string expression)
    {
        foreach (var zone in new[] { "UTC", "Europe/Berlin", "Australia/Lord_Howe" })
        {
            ScheduleClock clock;
            try
            {
                ScheduleRules.ValidateKind(new ScheduleKind.Cron(expression, zone), Now);
                clock = ScheduleClock.For(new ScheduleKind.Cron(expression, zone), Now);
            }
            catch (InvalidScheduleException ex)
            {
                Assert.Equal("Cron", ex.Field);
                continue;
            }
            // Compiled: its occurrences are computed without throwing, strictly ascending.
            var previous = Now;
            for (var i = 0; i < 5 && clock.Next(previous) is { } next; i++)
            {
                Assert.True(next > previous, $"{expression} in {zone}: {next:O} after {previous:O}");
                previous = next;
            }
            Assert.All(clock.Between(Now, Now.AddDays(400)).Take(100), o => Assert.True(o > Now));
            Assert.InRange(clock.Count(Now, Now.AddYears(9), 10), 0, 10);
        }
    }
}
