namespace DistributedTaskQueue.Queue;

/// <summary>
/// Everything durable about one task, stored inside its segment. Fields carry explicit ids so records
/// written by an older build still read after a field is added (Orleans serializer version tolerance).
/// </summary>
[GenerateSerializer, Alias("dtq.TaskRecord")]
internal sealed class TaskRecord
{
    [Id(0)] public long Sequence { get; set; }
    [Id(1)] public required string TaskName { get; set; }
    [Id(2)] public required byte[] Payload { get; set; }
    [Id(3)] public TaskPriority Priority { get; set; }
    [Id(4)] public TaskState State { get; set; }
    [Id(5)] public int Attempts { get; set; }
    [Id(6)] public RetryPolicy? Retry { get; set; }
    [Id(7)] public TimeSpan? Timeout { get; set; }
    [Id(8)] public DateTimeOffset EnqueuedAt { get; set; }
    [Id(9)] public DateTimeOffset? StartedAt { get; set; }
    [Id(10)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(11)] public DateTimeOffset? NotBefore { get; set; }
    [Id(12)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(13)] public TimeSpan? ResultTtl { get; set; }
    [Id(14)] public string? IdempotencyKey { get; set; }
    [Id(15)] public byte[]? Result { get; set; }
    [Id(16)] public List<TaskError>? Errors { get; set; }

    /// <summary>Failed attempts counted against the retry policy (reset by a dead-letter retry; releases do not count).</summary>
    [Id(17)] public int Failures { get; set; }

    /// <summary>A cancel arrived while it ran: the attempt's end, whatever it is, makes it Cancelled (unless it succeeded).</summary>
    [Id(18)] public bool CancelRequested { get; set; }

    /// <summary>The worker that holds (or last held) the lease, and the number of the lease call that gave it:
    /// durable, so a worker that lost the reply gets its tasks back by retrying the call, even from a reloaded partition.</summary>
    [Id(19)] public string? LeasedTo { get; set; }

    [Id(20)] public long LeaseRequest { get; set; }

    /// <summary>The epoch of the latest lease.</summary>
    [Id(21)] public long LeaseEpoch { get; set; }

    /// <summary>The submitting call's token: a retried submit within the dedupe window finds this task by it.</summary>
    [Id(22)] public SubmitToken? Token { get; set; }

    /// <summary>The submitter's W3C trace parent, handed to every attempt (TaskTracing).</summary>
    [Id(23)] public string? TraceParent { get; set; }

    /// <summary>The record of a task just accepted: the one place a submission's fields are copied.</summary>
    public static TaskRecord Accepted(long sequence, TaskSubmission submission, DateTimeOffset now)
    {
        var notBefore = submission.NotBefore is { } nb && nb > now ? nb : (DateTimeOffset?)null;
        return new TaskRecord
        {
            Sequence = sequence,
            TaskName = submission.TaskName,
            Payload = submission.Payload,
            Priority = submission.Priority,
            State = notBefore is null ? TaskState.Pending : TaskState.Scheduled,
            Retry = submission.Retry,
            Timeout = submission.Timeout,
            EnqueuedAt = now,
            NotBefore = notBefore,
            ExpiresAt = submission.ExpiresAt,
            ResultTtl = submission.ResultTtl,
            IdempotencyKey = submission.IdempotencyKey,
            Token = submission.Token,
            TraceParent = submission.TraceParent,
        };
    }

    /// <summary>The fencing token of its latest lease.</summary>
    public LeaseToken Lease => new(Sequence, Attempts, LeaseEpoch);

    /// <summary>How many errors a record keeps, most recent first.</summary>
    public const int MaxErrors = 10;

    public void AddError(TaskError error)
    {
        Errors ??= [];
        Errors.Insert(0, error);
        if (Errors.Count > MaxErrors) Errors.RemoveRange(MaxErrors, Errors.Count - MaxErrors);
    }

    public TaskInfo ToInfo(TaskId id, bool withPayload = false) => new()
    {
        Id = id,
        TaskName = TaskName,
        State = State,
        Priority = Priority,
        Attempts = Attempts,
        EnqueuedAt = EnqueuedAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        NotBefore = NotBefore,
        // Typed: a bare null would convert through ReadOnlyMemory's implicit operator from arrays into an empty result.
        Result = Result is null ? default(ReadOnlyMemory<byte>?) : Result,
        Errors = Errors is null ? [] : [.. Errors],
        Worker = LeasedTo,
        Payload = withPayload ? Payload : default(ReadOnlyMemory<byte>?),
    };
}
