namespace DistributedTaskQueue;

/// <summary>
/// Maps keys to partitions with a hash that is stable across processes and versions (FNV-1a over UTF-16 code
/// units), unlike <see cref="string.GetHashCode()"/>. Clients and schedule grains both send a keyed submit to the
/// partition this picks, which is what lets the key deduplicate.
/// </summary>
public static class TaskPartitioner
{
    /// <summary>The partition (0 to <paramref name="partitions"/> − 1) that owns tasks submitted under this idempotency key.</summary>
    public static int PartitionFor(string idempotencyKey, int partitions)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return partitions == 1 ? 0 : (int)(Fnv1a(idempotencyKey) % (uint)partitions);
    }

    /// <summary>The 32-bit FNV-1a hash of the string's UTF-16 code units.</summary>
    public static uint Fnv1a(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
