using Orleans.Runtime.Placement;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Puts partition <c>p</c> of a queue on silo <c>(hash(queue) + p) mod n</c> of the compatible silos in address order:
/// a queue's partitions land on distinct silos (up to the number of silos), and different queues start on different
/// silos. Orleans' default placement puts a new activation on the silo that received the call unless it is busier than
/// the others, so every partition that one client first reached through one gateway shared a silo, and that silo's death
/// left none of the queue's partitions reachable. The silo that places decides with its own view (one that just started
/// sees only itself), and an activation stays where it was put until it moves (a failover, a hand-over): partitions first
/// used while one silo ran alone stay together until then. A placement hint (a migration) still wins.
/// </summary>
internal sealed class QueueSpreadPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target);
        if (target.RequestContextData is { } data && IPlacementDirector.GetPlacementHint(data, silos) is { } hint) return Task.FromResult(hint);
        if (silos.Length == 1) return Task.FromResult(silos[0]);
        var sorted = silos.Order().ToArray(); // every silo decides alike for the same membership
        return Task.FromResult(sorted[SlotOf(target.GrainIdentity.Key.ToString(), sorted.Length)]);
    }

    /// <summary>The silo slot of a partition key; a key that is not one (no partition number) hashes as a whole.</summary>
    internal static int SlotOf(string key, int silos)
    {
        var split = key.LastIndexOf(':');
        if (split > 0 && int.TryParse(key.AsSpan(split + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var partition))
            return (int)((TaskPartitioner.Fnv1a(key[..split]) + (uint)partition) % (uint)silos);
        return (int)(TaskPartitioner.Fnv1a(key) % (uint)silos);
    }
}
