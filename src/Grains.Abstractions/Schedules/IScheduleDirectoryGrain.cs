namespace DistributedTaskQueue;

/// <summary>
/// One shard of the list of schedule names (key: shard number, see <see cref="ScheduleDirectory"/>). Persisted; each
/// schedule grain registers itself with its shard, so a write rewrites one shard's names, not every schedule's.
/// </summary>
[Alias("dtq.IScheduleDirectoryGrain")]
public interface IScheduleDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a name (no write when it is already there).</summary>
    [Alias("Add")]
    Task AddAsync(string name);

    /// <summary>Removes a name (no write when it is not there).</summary>
    [Alias("Remove")]
    Task RemoveAsync(string name);

    /// <summary>Names in ordinal order after <paramref name="after"/> (null to start), at most <paramref name="limit"/>.</summary>
    [Alias("List")]
    Task<string[]> ListAsync(string? after, int limit);
}
