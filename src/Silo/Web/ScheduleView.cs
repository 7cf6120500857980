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
