namespace DistributedTaskQueue.Catalog;

/// <summary>
/// Keeps the workers' last reports, in memory. A report not refreshed within three of its worker's intervals, or from a
/// silo membership declared dead, is dropped: a silo that died without unregistering leaves the list within seconds.
/// </summary>
[GrainType("workerdirectory")]
internal sealed class WorkerDirectoryGrain(TimeProvider time, IClusterMembershipService membership) : Grain, IWorkerDirectoryGrain
{
    /// <summary>Reports missed before a worker is taken for gone.</summary>
    public const int MissedReports = 3;

    // Bounds what any caller can make this grain hold: a cluster has at most a few hundred silos.
    private const int MaxWorkers = 10_000;
    private const int MaxIdLength = 400;
    private const int MaxQueues = 1_000;
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, (WorkerInfo Info, SiloAddress Silo, TimeSpan Interval)> _workers = new(StringComparer.Ordinal);

    public Task ReportAsync(WorkerInfo worker, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (string.IsNullOrEmpty(worker.WorkerId) || worker.WorkerId.Length > MaxIdLength)
            throw new ArgumentException($"A worker id is 1-{MaxIdLength} characters.", nameof(worker));
        if (worker.Queues is null || worker.Queues.Count > MaxQueues)
            throw new ArgumentException($"A worker serves 0-{MaxQueues} queues.", nameof(worker));
        if (interval < MinInterval || interval > MaxInterval)
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"A report interval is {MinInterval.TotalSeconds}-{MaxInterval.TotalSeconds} s.");
        var silo = ParseSilo(worker.Silo);
        Expire();
        if (!_workers.ContainsKey(worker.WorkerId) && _workers.Count >= MaxWorkers)
            throw new InvalidOperationException($"The worker directory holds {MaxWorkers} workers already.");
        _workers[worker.WorkerId] = (worker with { LastHeartbeat = time.GetUtcNow() }, silo, interval);
        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string workerId)
    {
        ArgumentNullException.ThrowIfNull(workerId);
        _workers.Remove(workerId);
        return Task.CompletedTask;
    }

    public Task<WorkerInfo[]> ListAsync()
    {
        Expire();
        return Task.FromResult(_workers.Values.Select(w => w.Info).OrderBy(w => w.WorkerId, StringComparer.Ordinal).ToArray());
    }

    private void Expire()
    {
        var now = time.GetUtcNow();
        var members = membership.CurrentSnapshot;
        var gone = _workers
            .Where(w => now - w.Value.Info.LastHeartbeat > w.Value.Interval * MissedReports || members.GetSiloStatus(w.Value.Silo) == SiloStatus.Dead)
            .Select(w => w.Key)
            .ToList();
        foreach (var workerId in gone) _workers.Remove(workerId);
    }

    private static SiloAddress ParseSilo(string? silo)
    {
        try
        {
            if (!string.IsNullOrEmpty(silo) && silo.Length <= MaxIdLength) return SiloAddress.FromParsableString(silo);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            // Refused below, as a missing one is.
        }
        throw new ArgumentException($"'{silo}' is not a silo address (ip:port@generation).", nameof(silo));
    }
}
