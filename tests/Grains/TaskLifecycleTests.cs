using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>Walks every pair of states: the legal ones move, every other one throws and leaves the record alone.</summary>
public sealed class TaskLifecycleTests
{
    private static readonly HashSet<(TaskState, TaskState)> Expected =
    [
        (TaskState.Pending, TaskState.Running), (TaskState.Pending, TaskState.Cancelled), (TaskState.Pending, TaskState.DeadLettered),
        (TaskState.Scheduled, TaskState.Pending), (TaskState.Scheduled, TaskState.Cancelled),
        (TaskState.Running, TaskState.Succeeded), (TaskState.Running, TaskState.Retrying), (TaskState.Running, TaskState.DeadLettered),
        (TaskState.Running, TaskState.Cancelled), (TaskState.Running, TaskState.Pending),
        (TaskState.Retrying, TaskState.Pending), (TaskState.Retrying, TaskState.Cancelled),
        (TaskState.DeadLettered, TaskState.Pending),
    ];

    public static TheoryData<TaskState, TaskState> AllPairs()
    {
        var data = new TheoryData<TaskState, TaskState>();
        foreach (var from in Enum.GetValues<TaskState>())
            foreach (var to in Enum.GetValues<TaskState>())
                data.Add(from, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Move_AllowsExactlyTheLifecycleTable(TaskState from, TaskState to)
    {
        var record = new TaskRecord { TaskName = "t", Payload = [], State = from };

        if (Expected.Contains((from, to)))
        {
            TaskLifecycle.Move(record, to);
            Assert.Equal(to, record.State);
        }
        else
        {
            Assert.Throws<InvalidOperationException>(() => TaskLifecycle.Move(record, to));
            Assert.Equal(from, record.State);
        }
    }

    [Fact]
    public void TerminalStates_AreExactlySucceededDeadLetteredCancelled()
    {
        var terminal = Enum.GetValues<TaskState>().Where(s => s.IsFinished());
        Assert.Equal([TaskState.Succeeded, TaskState.DeadLettered, TaskState.Cancelled], terminal);
    }
}
