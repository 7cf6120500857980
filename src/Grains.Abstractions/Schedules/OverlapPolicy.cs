namespace DistributedTaskQueue;

/// <summary>Whether a schedule fires while its previous task has not finished.</summary>
public enum OverlapPolicy
{
    /// <summary>Fire every occurrence, whatever the previous task is doing (the default).</summary>
    Allow = 0,

    /// <summary>Skip an occurrence (counted as skipped) while the previous task is Pending, Scheduled, Running or Retrying.</summary>
    SkipIfRunning = 1,
}
