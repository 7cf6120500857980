using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>The promotion timer's wait for a due time, alone: never early, never negative, never longer than a minute.</summary>
public sealed class PromotionTimerTests
{
    [Theory]
    [InlineData(-5_000, 0)]
    [InlineData(0, 0)]
    [InlineData(0.2, 1)]
    [InlineData(1, 1)]
    [InlineData(1.0001, 2)]
    [InlineData(999.5, 1_000)]
    public void WaitFor_IsWholeMillisecondsRoundedUp_SoTheTimerNeverFiresBeforeTheDueTime(double untilDueMs, double expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), PromotionTimer.WaitFor(TimeSpan.FromMilliseconds(untilDueMs)));
    }

    [Fact]
    public void WaitFor_ADueTimeDaysAway_IsCappedAtTheLongestWait_AndReArmedWhenItFires()
    {
        Assert.Equal(PromotionTimer.LongestWait, PromotionTimer.WaitFor(TimeSpan.FromDays(3)));
        Assert.Equal(PromotionTimer.LongestWait, PromotionTimer.WaitFor(PromotionTimer.LongestWait + TimeSpan.FromTicks(1)));
    }
}
