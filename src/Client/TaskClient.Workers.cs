namespace DistributedTaskQueue;

public sealed partial class TaskClient
{
    /// <summary>
    /// Every live silo's worker as it last reported itself (every <c>TaskQueue:Worker:ReportInterval</c>, 5 s by default),
    /// by worker id. A silo that stopped leaves at once; one that died, once membership declares it dead or after three
    /// missed reports. Gateway-only silos (serving no queue) run no worker and are not listed.
    /// </summary>
    public async Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync() =>
        await CallSafely(() => _grains.GetGrain<IWorkerDirectoryGrain>(0).ListAsync()).ConfigureAwait(false);
}
