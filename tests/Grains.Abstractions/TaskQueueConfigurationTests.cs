using Microsoft.Extensions.Configuration;

namespace DistributedTaskQueue.Tests.Grains.Abstractions;

/// <summary>The one reader of the shared <c>TaskQueue</c> section, for clients and silos.</summary>
public sealed class TaskQueueConfigurationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Bind_ReadsTaskQueueRedis_AsTheConnectionString_UnlessRedisConnectionStringIsSet()
    {
        Assert.Equal("redis:6379", TaskQueueConfiguration.Bind(Configuration(("TaskQueue:Redis", "redis:6379")), new TaskQueueOptions()).RedisConnectionString);
        var both = Configuration(("TaskQueue:Redis", "redis:6379"), ("TaskQueue:RedisConnectionString", "other:6379"));
        Assert.Equal("other:6379", TaskQueueConfiguration.Bind(both, new TaskQueueOptions()).RedisConnectionString);
    }

    [Fact]
    public void Bind_OfADefaultRetry_LeavesTheProcessWideDefaultPolicyAlone()
    {
        var options = TaskQueueConfiguration.Bind(Configuration(("TaskQueue:DefaultRetry:MaxRetries", "7")), new TaskQueueOptions());

        Assert.Equal(7, options.DefaultRetry.MaxRetries);
        Assert.Equal(3, RetryPolicy.Default.MaxRetries);
    }

    [Fact]
    public void GatewayPort_Is30000_UnlessConfigured()
    {
        Assert.Equal(30000, TaskQueueConfiguration.GatewayPort(Configuration()));
        Assert.Equal(31000, TaskQueueConfiguration.GatewayPort(Configuration(("TaskQueue:GatewayPort", "31000"))));
    }
}
