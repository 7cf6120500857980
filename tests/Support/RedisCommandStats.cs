using System.Globalization;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>What Redis counted per command (INFO commandstats; the commands a script runs count too).</summary>
public static class RedisCommandStats
{
    /// <summary>How often the server ran <paramref name="command"/> (<c>evalsha</c>, <c>script|load</c> …) since it started.</summary>
    public static async Task<long> CallsAsync(this RedisServer redis, string command)
    {
        var stats = (await redis.Server.InfoAsync("commandstats")).SelectMany(g => g);
        var line = stats.SingleOrDefault(s => s.Key == "cmdstat_" + command).Value ?? "calls=0";
        return long.Parse(line.Split(',').Single(p => p.StartsWith("calls=", StringComparison.Ordinal))["calls=".Length..], CultureInfo.InvariantCulture);
    }
}
