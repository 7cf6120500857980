using DistributedTaskQueue.Worker;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>A worker's running attempts are keyed by the whole lease token, so two attempts of one task never mix.</summary>
public sealed class RunningAttemptsTests
{
    [Fact]
    public void End_OfALateAttempt_KeepsTheNewerAttemptOfTheSameTask()
    {
        var running = new RunningAttempts();
        var first = new LeaseToken(5, 1, 1);
        var second = new LeaseToken(5, 2, 1);
        running.Start(first);
        var newer = running.Start(second);

        running.End(first);

        Assert.Equal([second], running.Tokens); // still renewed
        Assert.False(newer.Cancelled.IsCancellationRequested);
    }

    [Fact]
    public void LoseLeases_StopsEveryLostAttempt_EvenWhenAHandlersCancellationCallbackThrows()
    {
        var running = new RunningAttempts();
        var first = running.Start(new LeaseToken(6, 1, 1));
        var second = running.Start(new LeaseToken(7, 1, 1));
        using var throwing = first.Cancelled.Register(() => throw new InvalidOperationException("handler"));

        Assert.Equal(2, running.LoseLeases([new LeaseToken(6, 1, 1), new LeaseToken(7, 1, 1)]));

        Assert.True(first.LeaseLost);
        Assert.True(first.Cancelled.IsCancellationRequested);
        Assert.True(second.LeaseLost);
        Assert.True(second.Cancelled.IsCancellationRequested);
    }

    [Fact]
    public void LoseLeases_StopsOnlyTheLostAttempt_AndMarksItNotToBeReported()
    {
        var running = new RunningAttempts();
        var old = running.Start(new LeaseToken(5, 1, 1));
        var current = running.Start(new LeaseToken(5, 2, 1));

        // A token not running here is not counted: the count is what the warning reports.
        Assert.Equal(1, running.LoseLeases([new LeaseToken(5, 1, 1), new LeaseToken(9, 1, 1)]));

        Assert.True(old.Cancelled.IsCancellationRequested);
        Assert.True(old.LeaseLost);
        Assert.False(current.Cancelled.IsCancellationRequested);
        Assert.False(current.LeaseLost);
    }

    [Fact]
    public void Stop_AfterTheAttemptEnded_IsHarmless()
    {
        var running = new RunningAttempts();
        var token = new LeaseToken(1, 1, 1);
        running.Start(token);
        running.End(token);

        running.Stop([token]);
        Assert.Equal(0, running.LoseLeases([token]));

        Assert.Equal(0, running.Count);
    }
}
