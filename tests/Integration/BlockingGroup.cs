namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Tests whose handlers block thread-pool threads on purpose run alone, after the parallel ones: the thread pool is the
/// test process's, and other tests' silos would stall with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BlockingGroup : ICollectionFixture<RedisFixture>
{
    public const string Name = "blocking";
}
