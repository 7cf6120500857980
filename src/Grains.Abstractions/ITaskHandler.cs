namespace DistributedTaskQueue;

/// <summary>Runs tasks of one type on the silos. Resolved from DI, so it may take any service.</summary>
public interface ITaskHandler<in TTask, TResult> where TTask : ITask<TResult>
{
    /// <summary>Runs one attempt. Throw to fail it; honour <paramref name="cancellationToken"/> (timeout, cancel, shutdown).</summary>
    Task<TResult> HandleAsync(TTask task, TaskContext context, CancellationToken cancellationToken);
}
