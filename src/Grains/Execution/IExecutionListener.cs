namespace DistributedTaskQueue.Execution;

/// <summary>
/// A partition consumer's side of its execution lane, reached in-process: per attempt this costs no grain call. The
/// consumer keeps the slots, the leases and their renewal; cancels reach a running attempt through its token here.
/// </summary>
internal interface IExecutionListener
{
    /// <summary>The token a remote cancel or a lost lease of this attempt fires.</summary>
    CancellationToken CancellationOf(LeaseToken attempt);

    /// <summary>
    /// One attempt ended, with its outcome: null when the executor itself threw (nothing is reported; the task runs
    /// again once its lease expires). Called once per attempt handed over, from any thread.
    /// </summary>
    void Finished(LeasedTask task, TaskCompletion? completion, TimeSpan duration);
}
