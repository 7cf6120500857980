using DistributedTaskQueue.Schedules;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Drives and reads schedule grains in a test cluster: delivers reminder ticks by hand (as Orleans would, through
/// <see cref="IRemindable"/>), and lists every task a queue partition holds, so tests count real tasks.
/// </summary>
public static class ScheduleProbe
{
    /// <summary>One reminder tick, delivered to the grain exactly as the reminder service delivers it.</summary>
    public static Task TickAsync(TaskQueueCluster cluster, string schedule) =>
        cluster.Cluster.Client.GetGrain<IScheduleGrain>(schedule).AsReference<IRemindable>()
            .ReceiveReminder(ScheduleGrain.ReminderName, new TickStatus(default, TimeSpan.FromMinutes(1), default));

    public static async Task<ScheduleInfo> InfoAsync(TaskQueueCluster cluster, string schedule) =>
        await cluster.Client.Schedules.GetAsync(schedule) ?? throw new InvalidOperationException($"no schedule '{schedule}'");

    /// <summary>
    /// Every task of a one-partition queue, in sequence order: sequences are dense, but start where the partition's
    /// clock put them (not at 0), so the walk starts from <paramref name="anyOf"/>, one of them, in both directions.
    /// </summary>
    public static async Task<List<TaskInfo>> TasksAsync(TaskQueueCluster cluster, string queue, TaskId? anyOf)
    {
        if (anyOf is not { } anchor) return [];
        Assert.Equal(queue, anchor.Queue);
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        var first = anchor.Sequence;
        while (first > 0 && await partition.GetTaskAsync(first - 1) is not null) first--;
        var tasks = new List<TaskInfo>();
        for (var sequence = first; await partition.GetTaskAsync(sequence) is { } task; sequence++) tasks.Add(task);
        return tasks;
    }
}
