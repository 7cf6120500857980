namespace DistributedTaskQueue.Schedules;

/// <summary>
/// Decides, at one wake-up, which due occurrences a schedule fires and which it skips: occurrences within the misfire
/// threshold are on time and fire; older ones were missed and follow the misfire policy. It works from the schedule's
/// stored cursor (the last occurrence dealt with), never from reminder ticks, so a tick that comes twice, late or
/// after an outage decides the same thing. Pure: tested on fixed instants.
/// </summary>
internal static class FirePlanner
{
    /// <summary>Most on-time occurrences one wake-up fires (a per-second cron with a day of threshold); older ones are skipped.</summary>
    public const int MaxFiresPerWake = 1000;

    /// <summary>Missed occurrences walked and counted per wake-up (a per-second cron after a long outage); the skip count saturates there.</summary>
    public const long MaxCounted = 100_000;

    /// <summary>What to fire (ascending), how many due occurrences to skip, and the new cursor (null: nothing was due).</summary>
    public readonly record struct Plan(IReadOnlyList<DateTimeOffset> Fires, long Skipped, DateTimeOffset? Cursor, long Missed);

    /// <param name="clock">The schedule's timing.</param>
    /// <param name="cursor">Occurrences at or before it are dealt with (fired or skipped).</param>
    /// <param name="definedAt">When the timing was set: a once-schedule set for a past time is late only from then.</param>
    /// <param name="now">The current time.</param>
    /// <param name="policies">The schedule's policies.</param>
    public static Plan Decide(ScheduleClock clock, DateTimeOffset cursor, DateTimeOffset definedAt, DateTimeOffset now, SchedulePolicies policies)
    {
        if (clock.Next(cursor) is not { } first || first > now) return new Plan([], 0, null, 0);
        // Late means: more than the threshold after max(occurrence, definedAt). So with the timing set before the
        // cutoff, occurrences before the cutoff are missed; with it set after, nothing is.
        var cutoff = now - policies.MisfireThreshold;
        var lastMissed = definedAt < cutoff && cutoff - TimeSpan.FromTicks(1) > cursor ? cutoff - TimeSpan.FromTicks(1) : cursor;
        var keep = policies.Misfire.Action switch
        {
            MisfireAction.Skip => 0,
            MisfireAction.FireOnce => 1,
            _ => policies.Misfire.Limit,
        };
        var (missed, tail) = MissedTail(clock, cursor, lastMissed, keep);
        var onTime = new List<DateTimeOffset>();
        long onTimeCount = 0;
        foreach (var occurrence in clock.Between(lastMissed, now))
        {
            onTimeCount++;
            onTime.Add(occurrence);
            if (onTime.Count > MaxFiresPerWake) onTime.RemoveAt(0); // the most recent ones fire
        }
        if (policies.Misfire.Action == MisfireAction.FireOnce && onTimeCount > 0) tail.Clear(); // the on-time fire is the "once"
        List<DateTimeOffset> fires = [.. tail, .. onTime];
        DateTimeOffset latest = onTime.Count > 0 ? onTime[^1] : tail.Count > 0 ? tail[^1] : lastMissed;
        return new Plan(fires, missed + onTimeCount - fires.Count, latest, missed);
    }

    /// <summary>How many occurrences lie in (<paramref name="after"/>, <paramref name="upTo"/>] (at most <see cref="MaxCounted"/>), and the last <paramref name="keep"/> of them.</summary>
    private static (long Count, List<DateTimeOffset> Tail) MissedTail(ScheduleClock clock, DateTimeOffset after, DateTimeOffset upTo, int keep)
    {
        if (upTo <= after) return (0, []);
        var tail = new Queue<DateTimeOffset>(keep);
        long count = 0;
        foreach (var occurrence in clock.Between(after, upTo))
        {
            if (keep > 0)
            {
                if (tail.Count == keep) tail.Dequeue();
                tail.Enqueue(occurrence);
            }
            if (++count >= MaxCounted) break;
        }
        if (count < MaxCounted || keep == 0) return (count, [.. tail]);
        // Too many to walk: the last ones lie in a window ending at upTo, doubled until it holds enough of them.
        var window = TimeSpan.FromSeconds(1);
        var start = upTo - window;
        while (start > after && clock.Count(start, upTo, keep) < keep)
        {
            window *= 2;
            start = window < upTo - after ? upTo - window : after;
        }
        return (count, [.. clock.Between(start, upTo).TakeLast(keep)]);
    }
}
