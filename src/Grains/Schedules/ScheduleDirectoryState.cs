namespace DistributedTaskQueue.Schedules;

/// <summary>What one directory shard stores: the names, sorted.</summary>
[GenerateSerializer, Alias("dtq.ScheduleDirectoryState")]
internal sealed class ScheduleDirectoryState
{
    [Id(0)] public string[] Names { get; set; } = [];
}
