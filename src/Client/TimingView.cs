namespace DistributedTaskQueue;

/// <summary>A schedule's timing: <c>kind</c> says which of the other fields are set.</summary>
public sealed record TimingView
{
    /// <summary>once, everyMinutes, daily, weekly or cron: which of the other fields are set.</summary>
    public required string Kind { get; init; }
    /// <summary>When a once-schedule fires.</summary>
    public DateTimeOffset? At { get; init; }
    /// <summary>The interval of an every-N-minutes schedule.</summary>
    public int? Minutes { get; init; }
    /// <summary>The day of a weekly schedule.</summary>
    public DayOfWeek? Day { get; init; }
    /// <summary>The hour of a daily or weekly schedule, local time.</summary>
    public int? Hour { get; init; }
    /// <summary>The minute of a daily or weekly schedule.</summary>
    public int? Minute { get; init; }
    /// <summary>A cron schedule's expression.</summary>
    public string? Expression { get; init; }
    /// <summary>The IANA time zone of a daily, weekly or cron schedule.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The view of <paramref name="kind"/>.</summary>
    public static TimingView Of(ScheduleKind kind) => kind switch
    {
        ScheduleKind.Once once => new() { Kind = "once", At = once.At },
        ScheduleKind.EveryMinutes every => new() { Kind = "everyMinutes", Minutes = every.Minutes },
        ScheduleKind.Daily daily => new() { Kind = "daily", Hour = daily.Hour, Minute = daily.Minute, TimeZone = daily.TimeZoneId },
        ScheduleKind.Weekly weekly => new() { Kind = "weekly", Day = weekly.Day, Hour = weekly.Hour, Minute = weekly.Minute, TimeZone = weekly.TimeZoneId },
        ScheduleKind.Cron cron => new() { Kind = "cron", Expression = cron.Expression, TimeZone = cron.TimeZoneId },
        _ => new() { Kind = kind.GetType().Name },
    };
}
