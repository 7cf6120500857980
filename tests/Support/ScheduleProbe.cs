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

    /// <summary>Every task of a one-partition queue, in sequence order (sequences are dense from 0).</summary>
    public static async Task<List<TaskInfo>> TasksAsync(TaskQueueCluster cluster, string queue)
    {
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        var tasks = new List<TaskInfo>();
        for (long sequence = 0; await partition.GetTaskAsync(sequence) is { } task; sequence++) tasks.Add(task);
        return tasks;
    }
}
