namespace DistributedTaskQueue.Tests.Client;

/// <summary>A wait's deadline: saturating, infinite for <see cref="Timeout.InfiniteTimeSpan"/>, already over for a negative timeout.</summary>
public sealed class WaitDeadlineTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnOrdinaryTimeout_EndsThatLongFromNow() =>
        Assert.Equal(Now.AddSeconds(30), TaskClient.Deadline(Now, TimeSpan.FromSeconds(30)));

    [Fact]
    public void AnInfiniteTimeout_NeverEnds() =>
        Assert.Equal(DateTimeOffset.MaxValue, TaskClient.Deadline(Now, Timeout.InfiniteTimeSpan));

    [Fact]
    public void ATimeoutPastTheCalendar_SaturatesInsteadOfThrowing()
    {
        Assert.Equal(DateTimeOffset.MaxValue, TaskClient.Deadline(Now, TimeSpan.MaxValue));
        Assert.Equal(DateTimeOffset.MaxValue, TaskClient.Deadline(Now, TimeSpan.FromDays(3_000_000)));
    }

    [Fact]
    public void AZeroOrNegativeTimeout_HasEndedAlready()
    {
        Assert.Equal(Now, TaskClient.Deadline(Now, TimeSpan.Zero));
        Assert.Equal(Now, TaskClient.Deadline(Now, TimeSpan.FromSeconds(-5)));
        Assert.Equal(Now, TaskClient.Deadline(Now, TimeSpan.MinValue));
    }
}
