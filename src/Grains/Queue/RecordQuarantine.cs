namespace DistributedTaskQueue.Queue;

/// <summary>
/// Checks a task record read back from storage before the partition indexes it. A record the partition could not
/// index or run safely (written by a bug, or by a future version) is dead-lettered with the reason and its bad fields
/// made safe, so an operator can see it, retry it or purge it, and the rest of the partition loads (invariant 10).
/// </summary>
internal static class RecordQuarantine
{
    /// <summary>Why the record cannot be indexed as it is; null when it can.</summary>
    public static string? Problem(TaskRecord record, long slotSequence, PartitionOptions options, DateTimeOffset now)
    {
        if (record.Sequence != slotSequence) return $"its sequence {record.Sequence} is not that of its slot ({slotSequence})";
        if (string.IsNullOrEmpty(record.TaskName)) return "it has no task name";
        if (record.Payload is null) return "it has no payload";
        if (!Enum.IsDefined(record.Priority)) return $"its priority {(int)record.Priority} is not one of Low, Normal, High, Critical";
        if (!Enum.IsDefined(record.State)) return $"its state {(int)record.State} is unknown";
        if (record.Attempts < 0 || record.Failures < 0) return "its attempt counts are negative";
        if (record.State is TaskState.Scheduled or TaskState.Retrying && record.NotBefore is null) return $"it is {record.State} with no time to run at";
        if (record.State.IsFinished() && (record.FinishedAt is not { } finished || finished > now + TimeSpan.FromDays(1)))
            return "it is finished but has no finish time, or one in the future";
        return FieldProblem(() => record.Retry?.Validate())
            ?? FieldProblem(() => { if (record.Timeout is { } t) TaskRules.ValidateTimeout(t); })
            ?? (record.ResultTtl is { } ttl && (ttl <= TimeSpan.Zero || ttl > TaskRules.MaxHorizon) ? $"its result retention {ttl} is out of range" : null)
            ?? (record.Result is { } result && result.Length > options.MaxResultBytes ? $"its result of {result.Length} bytes is over the limit" : null);
    }

    /// <summary>Makes the record a dead letter that is safe to index, show, retry and purge, and says why.</summary>
    public static void Apply(TaskRecord record, string problem, DateTimeOffset now)
    {
        record.TaskName = string.IsNullOrEmpty(record.TaskName) ? "(unknown)" : record.TaskName;
        record.Payload ??= "null"u8.ToArray();
        if (!Enum.IsDefined(record.Priority)) record.Priority = TaskPriority.Normal;
        if (FieldProblem(() => record.Retry?.Validate()) is not null) record.Retry = null;
        if (record.Timeout is { } t && FieldProblem(() => TaskRules.ValidateTimeout(t)) is not null) record.Timeout = null;
        if (record.ResultTtl is { } ttl && (ttl <= TimeSpan.Zero || ttl > TaskRules.MaxHorizon)) record.ResultTtl = null;
        record.Result = null;
        record.Attempts = Math.Max(record.Attempts, 0);
        record.Failures = Math.Max(record.Failures, 0);
        // Not a lifecycle move: the stored state may be anything, which is the point of quarantine.
        record.State = TaskState.DeadLettered;
        record.FinishedAt = now;
        record.AddError(new TaskError($"Quarantined when its partition loaded: {problem}.", "Quarantined", null, record.Attempts, now));
    }

    private static string? FieldProblem(Action check)
    {
        try
        {
            check();
            return null;
        }
        catch (InvalidTaskException ex)
        {
            return ex.Message;
        }
    }
}
