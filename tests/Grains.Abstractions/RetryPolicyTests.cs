namespace DistributedTaskQueue.Tests.Grains.Abstractions;

public sealed class RetryPolicyTests
{
    [Fact]
    public void BaseDelay_DoublesFromRetryDelay_UpToMaxDelay()
    {
        var policy = new RetryPolicy { RetryDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(300) };

        var delays = Enumerable.Range(1, 7).Select(policy.BaseDelay).Select(d => d.TotalSeconds);

        Assert.Equal([10, 20, 40, 80, 160, 300, 300], delays);
    }

    [Fact]
    public void BaseDelay_IsConstant_WithoutExponentialBackoff()
    {
        var policy = new RetryPolicy { RetryDelay = TimeSpan.FromSeconds(7), ExponentialBackoff = false };

        Assert.Equal(TimeSpan.FromSeconds(7), policy.BaseDelay(5));
    }

    [Fact]
    public void BaseDelay_DoesNotOverflow_OnHugeRetryNumbers()
    {
        var policy = new RetryPolicy { RetryDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromHours(1) };

        Assert.Equal(TimeSpan.FromHours(1), policy.BaseDelay(1000));
    }

    [Theory]
    [InlineData(0.0, 9)]
    [InlineData(0.5, 10)]
    [InlineData(0.999999, 11)]
    public void DelayFor_SpreadsLinearlyOverTheJitterBand(double random, double expectedSeconds)
    {
        var policy = new RetryPolicy { RetryDelay = TimeSpan.FromSeconds(10), Jitter = 0.1 };

        Assert.Equal(expectedSeconds, policy.DelayFor(1, random).TotalSeconds, precision: 3);
    }

    [Fact]
    public void DelayFor_NeverExceedsMaxDelay()
    {
        var policy = new RetryPolicy { RetryDelay = TimeSpan.FromSeconds(100), MaxDelay = TimeSpan.FromSeconds(100), Jitter = 0.5 };

        Assert.Equal(TimeSpan.FromSeconds(100), policy.DelayFor(1, 0.99));
    }

    [Theory]
    [InlineData(-1, 10, 1, 0.1)]
    [InlineData(3, -1, 1, 0.1)]
    [InlineData(3, 10, -1, 0.1)]
    [InlineData(3, 10, 1, 1.5)]
    public void Validate_RefusesOutOfRangeFields(int maxRetries, int delaySeconds, int maxDelaySeconds, double jitter)
    {
        var policy = new RetryPolicy { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromSeconds(delaySeconds), MaxDelay = TimeSpan.FromSeconds(maxDelaySeconds), Jitter = jitter };

        Assert.Throws<InvalidTaskException>(policy.Validate);
    }
}
