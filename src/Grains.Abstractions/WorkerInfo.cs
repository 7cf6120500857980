namespace DistributedTaskQueue;

/// <summary>One silo's worker as it last reported itself to the cluster's <see cref="IWorkerDirectoryGrain"/>.</summary>
[GenerateSerializer, Immutable, Alias("dtq.WorkerInfo")]
public sealed record WorkerInfo
{
    /// <summary>The worker's lease identity (<c>TaskQueue:Worker:WorkerId@</c> and its silo's address).</summary>
    [Id(0)] public required string WorkerId { get; init; }

    /// <summary>Its silo's address (<c>ip:port@generation</c>).</summary>
    [Id(1)] public required string Silo { get; init; }

    /// <summary>The queues it serves.</summary>
    [Id(2)] public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>Tasks it runs at once at most.</summary>
    [Id(3)] public int MaxConcurrentTasks { get; init; }

    /// <summary>Slots running a task when it reported.</summary>
    [Id(4)] public int Busy { get; init; }

    /// <summary>Attempts that succeeded on it since it started.</summary>
    [Id(5)] public long Succeeded { get; init; }

    /// <summary>Attempts that failed on it (retried or not) since it started.</summary>
    [Id(6)] public long Failed { get; init; }

    /// <summary>When it started serving.</summary>
    [Id(7)] public DateTimeOffset StartedAt { get; init; }

    /// <summary>When its last report arrived (by the directory's clock).</summary>
    [Id(8)] public DateTimeOffset LastHeartbeat { get; init; }
}
