namespace DistributedTaskQueue;

/// <summary>
/// Refused when a schedule is created or updated: bad name, bad timing (cron, time zone, hour, minute, interval),
/// bad queue, bad policies, or a task the queue would refuse. Nothing was stored.
/// </summary>
[GenerateSerializer, Alias("dtq.InvalidScheduleException")]
public sealed class InvalidScheduleException : TaskQueueException
{
    /// <inheritdoc />
    public InvalidScheduleException() { }
    /// <inheritdoc />
    public InvalidScheduleException(string message) : base(message) { }
    /// <inheritdoc />
    public InvalidScheduleException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates the exception for one refused field.</summary>
    public InvalidScheduleException(string field, string message, Exception? inner = null) : base(message, inner) => Field = field;

    /// <summary>
    /// The refused field: <c>Name</c>, <c>Queue</c>, <c>Cron</c>, <c>TimeZone</c>, <c>Hour</c>, <c>Minute</c>, <c>Minutes</c>,
    /// <c>At</c>, <c>Policies.Misfire</c>, or <c>Task.</c> followed by the task field (<c>Task.TaskName</c>, <c>Task.Payload</c> …).
    /// </summary>
    [Id(0)] public string? Field { get; init; }
}
