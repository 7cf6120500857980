namespace DistributedTaskQueue.Cli;

/// <summary>What a script can tell from dtq's exit code; the README lists them. Every non-zero exit also writes one line to stderr.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The task failed (dead-lettered) or was cancelled, or the action found nothing to do (cancel of a finished task).</summary>
    public const int TaskFailed = 1;

    /// <summary>A usage error or input the cluster refuses (bad JSON, unknown priority, invalid schedule).</summary>
    public const int InvalidInput = 2;

    /// <summary>No such task or schedule.</summary>
    public const int NotFound = 3;

    /// <summary>No silo answered: the cluster is down, or the connection settings point elsewhere.</summary>
    public const int Unavailable = 4;

    /// <summary>A wait ended before the task did.</summary>
    public const int TimedOut = 5;
}
