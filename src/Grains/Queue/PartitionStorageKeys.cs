using StackExchange.Redis;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// The Redis key of one state of a partition: <c>{ServiceId}/state/{taskqueue/emails:0}/seg-12</c>. Orleans' default
/// key is the same without the braces. The braces are a Redis Cluster hash tag: every state of one partition (head,
/// segments, tombstone pages) hashes to one slot, which a script touching several of them needs. The partition
/// storage reads through this function (<c>RedisStorageOptions.GetStorageKey</c>) and the flush script writes
/// through it, so the two can never disagree on a key.
/// </summary>
/// <remarks>
/// Cluster caveat: the tag is the text between the key's first '{' and the next '}'. A service id holding braces moves
/// the tag into the service id; the keys of one partition still share it (and a slot), except for a service id that
/// holds "{}", whose empty tag makes Redis hash whole keys.
/// </remarks>
internal sealed class PartitionStorageKeys(string serviceId)
{
    private readonly string _prefix = serviceId + "/state/{";

    /// <summary>The key of state <paramref name="stateName"/> (<c>head</c>, <c>seg-N</c>, <c>gone-N</c>) of a partition grain.</summary>
    public RedisKey For(string stateName, GrainId grainId) => string.Concat(_prefix, grainId.ToString(), "}/", stateName);
}
