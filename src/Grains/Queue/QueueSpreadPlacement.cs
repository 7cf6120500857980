namespace DistributedTaskQueue.Queue;

/// <summary>
/// Places a queue's partitions on different silos (see <see cref="QueueSpreadPlacementDirector"/>), so that one silo's
/// death leaves the queue's other partitions reachable and new submits can go to them at once.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("dtq.QueueSpreadPlacement")]
internal sealed class QueueSpreadPlacement : PlacementStrategy
{
    public static QueueSpreadPlacement Singleton { get; } = new();
}
