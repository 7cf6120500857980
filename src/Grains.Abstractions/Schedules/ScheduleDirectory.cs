namespace DistributedTaskQueue;

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
