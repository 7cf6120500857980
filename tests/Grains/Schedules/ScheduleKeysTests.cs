using DistributedTaskQueue.Schedules;

namespace DistributedTaskQueue.Tests.Grains.Schedules;

/// <summary>
/// The idempotency keys a schedule submits under: one key per (schedule incarnation, occurrence or trigger instant),
/// never shared by two of them whatever the names hold, and unchanged for a schedule stored before incarnations.
/// </summary>
public sealed class ScheduleKeysTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 29, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AScheduleWithoutAnIncarnation_KeepsTheKeysItHadBefore()
    {
        Assert.Equal("Daily Cleanup:2026-03-29T01:00:00.0000000Z", ScheduleKeys.ForOccurrence("Daily Cleanup", null, At));
        Assert.Equal("Daily Cleanup:2026-03-29T01:00:00.0000000Z:manual", ScheduleKeys.ForTrigger("Daily Cleanup", null, At));
    }

    [Fact]
    public void AnIncarnation_EndsEveryKey()
    {
        Assert.Equal("d:2026-03-29T01:00:00.0000000Z:00000000000000ff", ScheduleKeys.ForOccurrence("d", "00000000000000ff", At));
        Assert.Equal("d:2026-03-29T01:00:00.0000000Z:manual:00000000000000ff", ScheduleKeys.ForTrigger("d", "00000000000000ff", At));
    }

    [Fact]
    public void Incarnations_Are16LowercaseHexDigits_AndDrawnAnewEachTime()
    {
        var drawn = Enumerable.Range(0, 1000).Select(_ => ScheduleKeys.NewIncarnation()).ToList();
        Assert.All(drawn, i => Assert.Matches("^[0-9a-f]{16}$", i));
        Assert.Equal(drawn.Count, drawn.Distinct().Count());
    }

    /// <summary>Where a key turns hashed: the longest name whose key fits keeps it; one character more is hashed.</summary>
    [Theory]
    [InlineData("0123456789abcdef", false, 154)]
    [InlineData("0123456789abcdef", true, 147)]
    [InlineData(null, false, 171)]
    [InlineData(null, true, 164)]
    public void AKeyPastTheLimit_NamesTheScheduleByItsHash(string? incarnation, bool trigger, int longestPlain)
    {
        string Key(int length) => trigger
            ? ScheduleKeys.ForTrigger(new string('n', length), incarnation, At)
            : ScheduleKeys.ForOccurrence(new string('n', length), incarnation, At);

        var plain = Key(longestPlain);
        Assert.Equal(TaskRules.MaxIdempotencyKeyLength, plain.Length);
        Assert.StartsWith(new string('n', longestPlain) + ":", plain, StringComparison.Ordinal);
        foreach (var length in new[] { longestPlain + 1, 200 })
        {
            var hashed = Key(length);
            Assert.Matches("^sha256-[0-9a-f]{32}:", hashed);
            Assert.InRange(hashed.Length, 1, TaskRules.MaxIdempotencyKeyLength);
            Assert.EndsWith(plain[(longestPlain + 1)..], hashed, StringComparison.Ordinal); // the same time, kind and incarnation
        }
    }

    /// <summary>
    /// Names built to collide: ones holding ':' and times, ones ending as an incarnation or as ":manual", a name that is
    /// another's hashed form, long names; old and new schedules side by side; occurrences and triggers at two instants.
    /// </summary>
    [Fact]
    public void NoTwoSchedulesOrIncarnations_ShareAKey_WhateverTheirNamesHold()
    {
        const string inc1 = "0123456789abcdef", inc2 = "fedcba9876543210";
        var time = ScheduleKeys.Format(At);
        var longName = new string('L', 190);
        var hashed = ScheduleKeys.ForOccurrence(longName, null, At)[..^(time.Length + 1)];
        string[] names =
        [
            "n", "n:manual", $"n:{time}", $"n:{time}:manual", $"n:{inc1}", $"n:{time}:{inc1}", $"n:manual:{inc1}",
            $"n:{inc1}:{inc2}", inc1, "manual", longName, longName + "x", hashed, $"{hashed}:{time}", new string('m', 150),
            new string('m', 151),
        ];
        DateTimeOffset[] instants = [At, At.AddTicks(1)];
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        foreach (var incarnation in new[] { null, inc1, inc2 })
        foreach (var at in instants)
        {
            Claim(ScheduleKeys.ForOccurrence(name, incarnation, at), $"occurrence of {name} ({incarnation}) at {at:O}");
            Claim(ScheduleKeys.ForTrigger(name, incarnation, at), $"trigger of {name} ({incarnation}) at {at:O}");
        }
        Assert.Equal(names.Length * 3 * instants.Length * 2, owners.Count);

        void Claim(string key, string owner)
        {
            Assert.True(owners.TryAdd(key, owner), $"'{key}' is the key of both the {owners.GetValueOrDefault(key)} and the {owner}");
        }
    }
}
