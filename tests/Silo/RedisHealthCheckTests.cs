using DistributedTaskQueue.Tests.Integration;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>The readiness check's Redis part against a real redis-server: healthy while it answers, unhealthy within its timeout when it does not.</summary>
[Collection(RedisGroup.Name)]
public sealed class RedisHealthCheckTests(RedisFixture redis)
{
    private static RedisHealthCheck Check(string connection) =>
        new(new TaskQueueSiloOptions { Options = new TaskQueueOptions { RedisConnectionString = connection } },
            Options.Create(new HealthOptions { RedisTimeout = TimeSpan.FromSeconds(1) }));

    [Fact]
    public async Task ARedisThatAnswers_IsHealthy()
    {
        await using var check = Check(redis.Redis.ConnectionString);

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task ARedisThatIsNotThere_IsUnhealthy_WithinSeconds()
    {
        await using var check = Check($"127.0.0.1:{RedisServer.FreePort()}");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.StartsWith("Redis did not answer", result.Description, StringComparison.Ordinal);
    }
}
