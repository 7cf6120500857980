// The JSON body of PUT /api/schedules/{name}: exactly one timing, the task (the submit body's fields), and the policies.
using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>
/// Creates or replaces a schedule. Give exactly one timing: <see cref="Once"/>, <see cref="EveryMinutes"/>,
/// <see cref="Daily"/>, <see cref="Weekly"/> or <see cref="Cron"/>. Unknown properties are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ScheduleRequest
{
    /// <summary>The queue its tasks go to; left out means the default queue.</summary>
    public string? Queue { get; init; }

    /// <summary>The task each fire submits: the submit body's fields (no notBefore, delay, expiresAt or idempotencyKey: the schedule sets those).</summary>
    public SubmitRequest? Task { get; init; }

    /// <summary>Fires once at this time.</summary>
    public DateTimeOffset? Once { get; init; }

    /// <summary>Fires every this many minutes.</summary>
    public int? EveryMinutes { get; init; }

    /// <summary>Fires every day at this local time.</summary>
    public TimeOfDayRequest? Daily { get; init; }

    /// <summary>Fires every week on this day at this local time.</summary>
    public WeeklyRequest? Weekly { get; init; }

    /// <summary>Fires on this cron expression (five fields, six with seconds, or a macro such as <c>@daily</c>).</summary>
    public string? Cron { get; init; }

    /// <summary>The IANA time zone daily, weekly and cron timings are read in; left out means UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>What an outage's missed occurrences do: <c>Skip</c>, <c>FireOnce</c> (default) or <c>FireAll</c>.</summary>
    public MisfireAction? Misfire { get; init; }

    /// <summary>With <c>FireAll</c>, at most this many missed occurrences are fired.</summary>
    public int? MisfireLimit { get; init; }

    /// <summary>How late a fire may be and still count as on time.</summary>
    public TimeSpan? MisfireThreshold { get; init; }

    /// <summary><c>Allow</c> (default) or <c>SkipIfRunning</c>.</summary>
    public OverlapPolicy? Overlap { get; init; }

    /// <summary>The one timing given; throws <see cref="InvalidScheduleException"/> naming the problem otherwise.</summary>
    internal ScheduleKind ToKind()
    {
        var given = new object?[] { Once, EveryMinutes, Daily, Weekly, Cron }.Count(t => t is not null);
        if (given != 1)
            throw new InvalidScheduleException("Kind", $"Give exactly one timing (once, everyMinutes, daily, weekly or cron); {given} were given.");
        var zone = TimeZone ?? ScheduleKind.Utc;
        if ((Once is not null || EveryMinutes is not null) && TimeZone is not null)
            throw new InvalidScheduleException("Kind.TimeZoneId", "A time zone applies to daily, weekly and cron timings only.");
        return this switch
        {
            { Once: { } at } => new ScheduleKind.Once(at),
            { EveryMinutes: { } minutes } => new ScheduleKind.EveryMinutes(minutes),
            { Daily: { } daily } => new ScheduleKind.Daily(daily.Hour, daily.Minute, zone),
            { Weekly: { } weekly } => new ScheduleKind.Weekly(weekly.Day, weekly.Hour, weekly.Minute, zone),
            _ => new ScheduleKind.Cron(Cron!, zone),
        };
    }

    internal SchedulePolicies ToPolicies()
    {
        var defaults = SchedulePolicies.Default;
        var misfire = Misfire switch
        {
            null => defaults.Misfire,
            MisfireAction.FireAll => MisfirePolicy.FireAll(MisfireLimit ?? 1),
            MisfireAction.Skip => MisfirePolicy.Skip,
            MisfireAction.FireOnce => MisfirePolicy.FireOnce,
            // A number no action has passes through, so ScheduleRules refuses it with the same words as for any client.
            { } undefined => new MisfirePolicy { Action = undefined },
        };
        if (MisfireLimit is not null && Misfire != MisfireAction.FireAll)
            throw new InvalidScheduleException("Policies.Misfire.Limit", "misfireLimit applies to misfire FireAll only.");
        return defaults with
        {
            Misfire = misfire,
            Overlap = Overlap ?? defaults.Overlap,
            MisfireThreshold = MisfireThreshold ?? defaults.MisfireThreshold,
        };
    }
}
