// How the JSON API shows a schedule: its timing as one object, its task with the payload as JSON (not base64 bytes),
// and its history.
using System.Text.Json;

namespace DistributedTaskQueue;

/// <summary>A schedule as the JSON API shows it.</summary>
public sealed record ScheduleView
{
    public required string Name { get; init; }
    public required string Queue { get; init; }
    public required TimingView Timing { get; init; }
    public required ScheduledTaskView Task { get; init; }
    public required string Misfire { get; init; }
    public required TimeSpan MisfireThreshold { get; init; }
    public required OverlapPolicy Overlap { get; init; }
    public bool Paused { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? NextRun { get; init; }
    public DateTimeOffset? LastOccurrence { get; init; }
    public DateTimeOffset? LastRunAt { get; init; }
    public string? LastTaskId { get; init; }
    public TaskState? LastTaskState { get; init; }
    public long FireCount { get; init; }
    public long TriggerCount { get; init; }
    public long SkipCount { get; init; }
    public string? LastError { get; init; }
    public IReadOnlyList<ScheduleFire> RecentFires { get; init; } = [];

    internal static ScheduleView Of(ScheduleInfo info)
    {
        var definition = info.Definition;
        var task = definition.Task;
        return new ScheduleView
        {
            Name = info.Id.Name,
            Queue = definition.Queue,
            Timing = TimingView.Of(definition.Kind),
            Task = new ScheduledTaskView
            {
                TaskName = task.TaskName,
                Payload = JsonSerializer.Deserialize<JsonElement>(task.Payload),
                Priority = task.Priority,
                Timeout = task.Timeout,
                ResultTtl = task.ResultTtl,
                Retry = task.Retry,
            },
            Misfire = definition.Policies.Misfire.ToString(),
            MisfireThreshold = definition.Policies.MisfireThreshold,
            Overlap = definition.Policies.Overlap,
            Paused = info.Paused,
            CreatedAt = info.CreatedAt,
            UpdatedAt = info.UpdatedAt,
            NextRun = info.NextRun,
            LastOccurrence = info.LastOccurrence,
            LastRunAt = info.LastRunAt,
            LastTaskId = info.LastTaskId?.ToString(),
            LastTaskState = info.LastTaskState,
            FireCount = info.FireCount,
            TriggerCount = info.TriggerCount,
            SkipCount = info.SkipCount,
            LastError = info.LastError,
            RecentFires = info.RecentFires,
        };
    }
}

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

/// <summary>The task a schedule submits at each fire.</summary>
public sealed record ScheduledTaskView
{
    public required string TaskName { get; init; }
    public JsonElement Payload { get; init; }
    public TaskPriority Priority { get; init; }
    public TimeSpan? Timeout { get; init; }
    public TimeSpan? ResultTtl { get; init; }
    public RetryPolicy? Retry { get; init; }
}
