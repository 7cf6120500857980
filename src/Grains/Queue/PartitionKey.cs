using System.Globalization;

namespace DistributedTaskQueue.Queue;

/// <summary>A partition grain's key, <c>{queue}:{partition}</c>, read once at activation.</summary>
internal readonly record struct PartitionKey(string Queue, int Partition)
{
    /// <summary>Reads a key; anything but a valid queue name and a partition 0..255 is refused.</summary>
    public static PartitionKey Parse(string key)
    {
        var split = key.LastIndexOf(':');
        if (split <= 0 || !int.TryParse(key.AsSpan(split + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || partition > 255)
            throw new InvalidTaskException("Partition", $"'{key}' is not a queue partition key (queue:partition, partition 0..255).");
        return new PartitionKey(QueueNames.Validate(key[..split]), partition);
    }

    public override string ToString() => $"{Queue}:{Partition.ToString(CultureInfo.InvariantCulture)}";
}
