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

/// <summary>How schedule names are spread over the directory's shards.</summary>
public static class ScheduleDirectory
{
    /// <summary>
    /// Shards of the directory. Fixed forever: changing it would strand names in shards nobody reads. 64 shards keep
    /// a shard's write small (about 160 names at 10,000 schedules) while a full listing costs 64 calls.
    /// </summary>
    public const int Shards = 64;

    /// <summary>The shard that lists this schedule name.</summary>
    public static int ShardOf(string name) => TaskPartitioner.PartitionFor(name, Shards);
}
