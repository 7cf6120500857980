namespace DistributedTaskQueue.Catalog;

/// <summary>
/// Keeps what each worker handles, in memory. Entries not refreshed for two minutes are dropped, so a
/// worker that died without unregistering stops counting soon after.
/// </summary>
[GrainType("taskcatalog")]
internal sealed class TaskCatalogGrain(TimeProvider time) : Grain, ITaskCatalogGrain
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(2);
    private readonly Dictionary<string, (string[] Names, bool Any, string[] Queues, DateTimeOffset Seen)> _workers = new(StringComparer.Ordinal);

    public Task RegisterAsync(string workerId, string[] taskNames, bool acceptsAnyName, string[] queues)
    {
        _workers[workerId] = (taskNames, acceptsAnyName, queues ?? [], time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string workerId)
    {
        _workers.Remove(workerId);
        return Task.CompletedTask;
    }

    public Task<TaskCatalog> GetAsync()
    {
        DropStale();
        var names = _workers.Values.SelectMany(w => w.Names).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult(new TaskCatalog(_workers.Count, _workers.Values.Any(w => w.Any), names));
    }

    public Task<string[]> GetQueuesAsync()
    {
        DropStale();
        return Task.FromResult(_workers.Values.SelectMany(w => w.Queues).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());
    }

    private void DropStale()
    {
        var now = time.GetUtcNow();
        foreach (var stale in _workers.Where(w => now - w.Value.Seen > Expiry).Select(w => w.Key).ToList()) _workers.Remove(stale);
    }
}
