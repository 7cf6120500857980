namespace DistributedTaskQueue;

/// <summary>
/// Every live silo's worker (key 0). Each worker reports every <c>TaskQueue:Worker:ReportInterval</c> and unregisters
/// when it stops; a report older than three of its intervals, or from a silo the cluster declared dead, no longer
/// counts. In memory only: after its silo goes, the directory refills within one interval.
/// </summary>
[Alias("dtq.IWorkerDirectoryGrain")]
public interface IWorkerDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Records (or refreshes) one worker; <paramref name="interval"/> is how often it reports.</summary>
    [Alias("Report")]
    Task ReportAsync(WorkerInfo worker, TimeSpan interval);

    /// <summary>Forgets a worker that is stopping.</summary>
    [Alias("Unregister")]
    Task UnregisterAsync(string workerId);

    /// <summary>The live workers, by id.</summary>
    [Alias("List")]
    Task<WorkerInfo[]> ListAsync();
}
