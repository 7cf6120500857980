namespace DistributedTaskQueue.Execution;

/// <summary>Starts attempts handed over through an <see cref="ExecutionLane"/>: the executor grain, while it serves a session.</summary>
internal interface IAttemptRunner
{
    /// <summary>Starts <paramref name="task"/> and returns at once; its outcome goes to <paramref name="lane"/> as it ends.</summary>
    void Start(LeasedTask task, ExecutionLane lane);
}
