namespace DistributedTaskQueue;

/// <summary>A schedule's timing: <c>kind</c> says which of the other fields are set.</summary>
public sealed record TimingView
{
    public required string Kind { get; init; }
    public DateTimeOffset? At { get; init; }
    public int? Minutes { get; init; }
    public DayOfWeek? Day { get; init; }
    public int? Hour { get; init; }
    public int? Minute { get; init; }
    public string? Expression { get; init; }
    public string? TimeZone { get; init; }

    internal static TimingView Of(ScheduleKind kind) => kind switch
    {
        ScheduleKind.Once once => new() { Kind = "once", At = once.At },
        ScheduleKind.EveryMinutes every => new() { Kind = "everyMinutes", Minutes = every.Minutes },
        ScheduleKind.Daily daily => new() { Kind = "daily", Hour = daily.Hour, Minute = daily.Minute, TimeZone = daily.TimeZoneId },
        ScheduleKind.Weekly weekly => new() { Kind = "weekly", Day = weekly.Day, Hour = weekly.Hour, Minute = weekly.Minute, TimeZone = weekly.TimeZoneId },
        ScheduleKind.Cron cron => new() { Kind = "cron", Expression = cron.Expression, TimeZone = cron.TimeZoneId },
        _ => new() { Kind = kind.GetType().Name },
    };
}
