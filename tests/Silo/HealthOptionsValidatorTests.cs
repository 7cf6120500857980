using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Silo;

public sealed class HealthOptionsValidatorTests
{
    [Theory]
    [InlineData(0.5, 2, "TaskQueue:Health:WorkerStallMargin must be 1 s..1 hour")]
    [InlineData(7200, 2, "TaskQueue:Health:WorkerStallMargin must be 1 s..1 hour")]
    [InlineData(20, 0.01, "TaskQueue:Health:RedisTimeout must be 0.1 s..1 min")]
    [InlineData(20, 120, "TaskQueue:Health:RedisTimeout must be 0.1 s..1 min")]
    public void AnOutOfRangeValue_IsRefused_NamingItsKey(double marginSeconds, double redisSeconds, string expected)
    {
        var options = new HealthOptions { WorkerStallMargin = TimeSpan.FromSeconds(marginSeconds), RedisTimeout = TimeSpan.FromSeconds(redisSeconds) };

        Assert.Contains(expected, new HealthOptionsValidator().Validate(Options.DefaultName, options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaults_AreValid() => Assert.True(new HealthOptionsValidator().Validate(Options.DefaultName, new HealthOptions()).Succeeded);
}
