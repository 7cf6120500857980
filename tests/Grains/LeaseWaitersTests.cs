using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>Parked lease calls alone (fake clock): served in arrival order, timed out with nothing, released per worker.</summary>
public sealed class LeaseWaitersTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ParkedCalls_AreServedInArrivalOrder_UntilTheLeaseFindsNoMore()
    {
        var waiters = new LeaseWaiters(_time);
        var first = waiters.ParkAsync(new LeaseWaiters.Waiter("w1", 1, 2), TimeSpan.FromSeconds(20));
        var second = waiters.ParkAsync(new LeaseWaiters.Waiter("w2", 1, 2), TimeSpan.FromSeconds(20));
        var third = waiters.ParkAsync(new LeaseWaiters.Waiter("w3", 1, 2), TimeSpan.FromSeconds(20));
        var pending = new Queue<long>([10, 11, 12]);
        var asked = new List<string>();

        var served = waiters.Serve(w =>
        {
            asked.Add(w.WorkerId);
            var tasks = new List<LeasedTask>();
            while (tasks.Count < w.Max && pending.TryDequeue(out var sequence)) tasks.Add(Leased(sequence));
            return tasks;
        });

        Assert.Equal(2, served);
        Assert.Equal(["w1", "w2", "w3"], asked); // the third found nothing, and the walk stopped there
        Assert.Equal([10, 11], (await first).Select(t => t.Id.Sequence));
        Assert.Equal([12], (await second).Select(t => t.Id.Sequence));
        Assert.False(third.IsCompleted);
        Assert.False(waiters.IsEmpty);
    }

    [Fact]
    public async Task AParkedCall_EndsWithNoTasks_WhenItsWaitRunsOut_AndIsNotServedAfterwards()
    {
        var waiters = new LeaseWaiters(_time);
        var call = waiters.ParkAsync(new LeaseWaiters.Waiter("w1", 1, 1), TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await call);
        Assert.True(waiters.IsEmpty);
        Assert.Equal(0, waiters.Serve(_ => throw new InvalidOperationException("a timed-out call must not be offered tasks")));
    }

    [Fact]
    public async Task Release_EndsOnlyThatWorkersCalls_OrAllWhenNull()
    {
        var waiters = new LeaseWaiters(_time);
        var a1 = waiters.ParkAsync(new LeaseWaiters.Waiter("a", 1, 1), TimeSpan.FromSeconds(20));
        var b = waiters.ParkAsync(new LeaseWaiters.Waiter("b", 1, 1), TimeSpan.FromSeconds(20));
        var a2 = waiters.ParkAsync(new LeaseWaiters.Waiter("a", 2, 1), TimeSpan.FromSeconds(20));

        waiters.Release("a");
        Assert.Empty(await a1);
        Assert.Empty(await a2);
        Assert.False(b.IsCompleted);

        waiters.Release(null);
        Assert.Empty(await b);
        Assert.True(waiters.IsEmpty);
    }

    private static LeasedTask Leased(long sequence) =>
        new(new TaskId("q", 0, sequence), "t", [], new LeaseToken(sequence, 1, 1), null, DateTimeOffset.UnixEpoch);
}
