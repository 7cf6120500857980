using DistributedTaskQueue.Tests.Support;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>The silo's one Redis connection is closed when the silo is disposed, even if it was still being opened then.</summary>
[Collection(RedisGroup.Name)]
public sealed class SiloRedisTests(RedisFixture fixture)
{
    [Fact]
    public async Task DisposedWhileItsFirstConnectIsUnderWay_ClosesTheConnectionItOpens()
    {
        var redis = new SiloRedis(ConfigurationOptions.Parse(fixture.Redis.ConnectionString));
        var connecting = redis.ConnectAsync();
        Assert.False(connecting.IsCompleted);
        await redis.DisposeAsync();

        var connection = await connecting;
        Assert.False(connection.IsConnected);
    }

    [Fact]
    public async Task EveryCallerGetsTheSameConnection_AndDisposeClosesIt()
    {
        var redis = new SiloRedis(ConfigurationOptions.Parse(fixture.Redis.ConnectionString));
        var first = await redis.ConnectAsync();
        var (second, shared) = await redis.SharedAsync(new object());
        Assert.Same(first, second);
        Assert.True(shared);
        Assert.True(first.IsConnected);
        await redis.DisposeAsync();
        Assert.False(first.IsConnected);
    }
}
