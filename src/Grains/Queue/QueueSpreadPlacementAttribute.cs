using Orleans.Placement;

namespace DistributedTaskQueue.Queue;

/// <summary>Marks the partition grain for <see cref="QueueSpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class QueueSpreadPlacementAttribute() : PlacementAttribute(QueueSpreadPlacement.Singleton);
