using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>One redis-server for every integration test; they run one class at a time (two cores), each with its own queues and service id.</summary>
[CollectionDefinition(Name)]
public sealed class RedisGroup : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}

public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync() => Redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Redis.DisposeAsync();
}
