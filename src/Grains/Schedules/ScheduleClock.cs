using Cronos;

namespace DistributedTaskQueue.Schedules;

/// <summary>
/// One schedule's timing, compiled: which instants it fires at, for every kind, and nothing else. Pure (no clock,
/// no I/O), so it is tested on fixed instants. Daily, weekly and cron timings go through Cronos in their time zone,
/// so they share its daylight-saving rules; every N minutes is plain arithmetic on UTC from the anchor.
/// </summary>
internal sealed class ScheduleClock
{
    private readonly DateTimeOffset? _once;
    private readonly TimeSpan _interval;
    private readonly DateTimeOffset _anchor;
    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _zone = TimeZoneInfo.Utc;

    private ScheduleClock(DateTimeOffset? once, TimeSpan interval, DateTimeOffset anchor, CronExpression? cron, TimeZoneInfo? zone)
    {
        _once = once;
        _interval = interval;
        _anchor = anchor;
        _cron = cron;
        if (zone is not null) _zone = zone;
    }

    /// <summary>
    /// Compiles a timing. <paramref name="anchor"/> is when the timing was set: every-N-minutes counts from it.
    /// Throws <see cref="InvalidScheduleException"/> for a bad cron expression or an unknown time zone.
    /// </summary>
    public static ScheduleClock For(ScheduleKind kind, DateTimeOffset anchor) => kind switch
    {
        ScheduleKind.Once once => new(once.At.ToUniversalTime(), default, anchor, null, null),
        ScheduleKind.EveryMinutes every => new(null, TimeSpan.FromMinutes(every.Minutes), anchor.ToUniversalTime(), null, null),
        // Daily and weekly are the cron expressions they mean, so they follow exactly the same DST rules as cron.
        ScheduleKind.Daily daily => new(null, default, anchor, Parse(Invariant($"{daily.Minute} {daily.Hour} * * *")), ScheduleRules.ResolveTimeZone(daily.TimeZoneId)),
        ScheduleKind.Weekly weekly => new(null, default, anchor, Parse(Invariant($"{weekly.Minute} {weekly.Hour} * * {(int)weekly.Day}")), ScheduleRules.ResolveTimeZone(weekly.TimeZoneId)),
        ScheduleKind.Cron cron => new(null, default, anchor, Parse(cron.Expression), ScheduleRules.ResolveTimeZone(cron.TimeZoneId)),
        _ => throw new InvalidScheduleException("Kind", $"Unknown schedule timing {kind?.GetType().Name ?? "null"}."),
    };

    /// <summary>The first occurrence strictly after <paramref name="after"/> (UTC), or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        if (_cron is not null) return CronNext(after);
        if (_once is { } at) return at > after ? at : null;
        return _anchor + _interval * (IntervalIndexAfter(after));
    }

    /// <summary>
    /// The occurrences in (<paramref name="after"/>, <paramref name="upTo"/>], earliest first (UTC), lazily. Always
    /// forward: Cronos' descending search returns a phantom instant just before a spring-forward gap (01:59:59+01:00
    /// for <c>*/15</c> on 29 March 2026 in Berlin), its forward search does not.
    /// </summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset upTo)
    {
        if (upTo <= after) return [];
        if (_cron is not null) return CronBetween(after, upTo);
        if (_once is { } at) return at > after && at <= upTo ? [at] : [];
        return Intervals(IntervalIndexAfter(after), IntervalIndexAtOrBefore(upTo));
    }

    /// <summary>How many occurrences lie in (<paramref name="after"/>, <paramref name="upTo"/>], counting at most <paramref name="cap"/>.</summary>
    public long Count(DateTimeOffset after, DateTimeOffset upTo, long cap)
    {
        if (upTo <= after) return 0;
        if (_cron is not null)
        {
            long count = 0;
            foreach (var _ in Between(after, upTo))
            {
                if (++count >= cap) break;
            }
            return count;
        }
        if (_once is { } at) return at > after && at <= upTo ? 1 : 0;
        return Math.Clamp(IntervalIndexAtOrBefore(upTo) - IntervalIndexAfter(after) + 1, 0, cap);
    }

    /// <summary>
    /// Cronos' next occurrence, strictly after <paramref name="after"/>. In a zone whose daylight saving is negative
    /// (Europe/Dublin's winter time, Africa/Casablanca's Ramadan time) Cronos answers with an instant at or before the one
    /// asked after at the change (Dublin, 29 March 2026: 00:00Z again and again), and its GetOccurrences never ends, which
    /// hung the schedule grain's wake-up: such an answer is asked again from a little later, inclusively.
    /// </summary>
    private DateTimeOffset? CronNext(DateTimeOffset after)
    {
        var next = _cron!.GetNextOccurrence(after, _zone, inclusive: false)?.ToUniversalTime();
        for (var step = TimeSpan.FromSeconds(1); next is { } found && found <= after; step *= 2)
        {
            if (step > TimeSpan.FromDays(2)) return null;
            next = _cron.GetNextOccurrence(after + step, _zone, inclusive: true)?.ToUniversalTime();
        }
        return next;
    }

    private IEnumerable<DateTimeOffset> CronBetween(DateTimeOffset after, DateTimeOffset upTo)
    {
        var previous = after;
        while (CronNext(previous) is { } next && next <= upTo)
        {
            yield return next;
            previous = next;
        }
    }

    private IEnumerable<DateTimeOffset> Intervals(long first, long last)
    {
        for (var k = first; k <= last; k++) yield return _anchor + _interval * k;
    }

    /// <summary>The smallest k ≥ 1 with anchor + k·interval strictly after <paramref name="after"/>.</summary>
    private long IntervalIndexAfter(DateTimeOffset after)
    {
        var elapsed = (after - _anchor).Ticks;
        return elapsed < 0 ? 1 : elapsed / _interval.Ticks + 1;
    }

    /// <summary>The largest k with anchor + k·interval at or before <paramref name="upTo"/> (below 1 when there is none).</summary>
    private long IntervalIndexAtOrBefore(DateTimeOffset upTo)
    {
        var elapsed = (upTo - _anchor).Ticks;
        return elapsed < 0 ? 0 : elapsed / _interval.Ticks;
    }

    /// <summary>Five fields, or six with seconds first, or a macro such as <c>@daily</c>.</summary>
    private static CronExpression Parse(string expression)
    {
        var text = expression.Trim();
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var format = text.StartsWith('@') ? CronFormat.Standard : fields switch
        {
            5 => CronFormat.Standard,
            6 => CronFormat.IncludeSeconds,
            _ => throw new InvalidScheduleException("Cron", $"Cron expression '{text}' has {fields} fields; use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)."),
        };
        try
        {
            return CronExpression.Parse(text, format);
        }
        catch (Exception ex) when (ex is CronFormatException or MissingSeedException)
        {
            // MissingSeedException: 'H' (jitter) needs a seed, and a seed would make macros such as @daily jitter too.
            // No inner exception: Cronos' exceptions have no Orleans codec, and the message says it all.
            throw new InvalidScheduleException("Cron", $"Invalid cron expression '{text}': {ex.Message}");
        }
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
