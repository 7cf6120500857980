namespace DistributedTaskQueue;

/// <summary>
/// What a silo does at start-up when its Redis could lose or evict acknowledged tasks
/// (<c>TaskQueue:RedisDurability</c>): Redis's <c>appendonly</c>, <c>appendfsync</c>, <c>maxmemory</c> and
/// <c>maxmemory-policy</c> are read with <c>CONFIG GET</c> before the silo joins its cluster.
/// </summary>
public enum RedisDurability
{
    /// <summary>Log a warning naming each setting and what it can lose, then start (the default).</summary>
    Warn = 0,

    /// <summary>
    /// Refuse to start unless every Redis primary has <c>appendonly yes</c>, <c>appendfsync always</c> and
    /// <c>maxmemory-policy noeviction</c> (or no <c>maxmemory</c>), or when that cannot be checked.
    /// </summary>
    Require = 1,

    /// <summary>Do not check (the provider guarantees durability some other way).</summary>
    Off = 2,
}
