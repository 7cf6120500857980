// How the JSON API and dtq --json show a schedule: its timing as one object, its task with the payload as JSON (not base64 bytes),
// and its history.
using System.Text.Json;

namespace DistributedTaskQueue;

/// <summary>A schedule as the silo's JSON API and <c>dtq --json</c> show it.</summary>
public sealed record ScheduleView
{
    /// <summary>The schedule's name (its id).</summary>
    public required string Name { get; init; }
    /// <summary>The queue its tasks go to.</summary>
    public required string Queue { get; init; }
    /// <summary>When it fires.</summary>
    public required TimingView Timing { get; init; }
    /// <summary>The task each fire submits.</summary>
    public required ScheduledTaskView Task { get; init; }
    /// <summary>What happens to occurrences missed while the cluster was down: Skip, FireOnce or FireAll(n).</summary>
    public required string Misfire { get; init; }
    /// <summary>How late an occurrence may be and still count as on time.</summary>
    public required TimeSpan MisfireThreshold { get; init; }
    /// <summary>Whether it fires while its previous task has not finished.</summary>
    public required OverlapPolicy Overlap { get; init; }
    /// <summary>Whether it is paused.</summary>
    public bool Paused { get; init; }
    /// <summary>When it was first created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The last part of its tasks' idempotency keys (null for a schedule stored before incarnations).</summary>
    public string? Incarnation { get; init; }
    /// <summary>When its definition last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Its next occurrence (null when it will not fire again).</summary>
    public DateTimeOffset? NextRun { get; init; }
    /// <summary>The last occurrence it fired or skipped.</summary>
    public DateTimeOffset? LastOccurrence { get; init; }
    /// <summary>When it last submitted a task.</summary>
    public DateTimeOffset? LastRunAt { get; init; }
    /// <summary>The last task it submitted.</summary>
    public string? LastTaskId { get; init; }
    /// <summary>That task's state when this was read.</summary>
    public TaskState? LastTaskState { get; init; }
    /// <summary>Occurrences it fired.</summary>
    public long FireCount { get; init; }
    /// <summary>Manual triggers.</summary>
    public long TriggerCount { get; init; }
    /// <summary>Occurrences it skipped (misfire or overlap policy).</summary>
    public long SkipCount { get; init; }
    /// <summary>The last error it met submitting, if any.</summary>
    public string? LastError { get; init; }
    /// <summary>Its latest fires, newest first.</summary>
    public IReadOnlyList<ScheduleFire> RecentFires { get; init; } = [];

    /// <summary>The view of <paramref name="info"/>.</summary>
    public static ScheduleView Of(ScheduleInfo info)
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
            Incarnation = info.Incarnation,
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
