using Orleans.Serialization;
using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>A segment read from storage: its records, or nothing (no such key), or why its bytes could not be read.</summary>
internal readonly record struct SegmentRead(TaskSegment? Segment, Exception? Error);
