using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>What Redis holds for schedules: their state hashes, directory shards and reminder entries, by service id.</summary>
public static class ScheduleRedis
{
    /// <summary>Keys of schedule state and directory shards under one service id.</summary>
    public static List<string> ScheduleKeys(RedisServer redis, string serviceId) =>
        [.. redis.Server.Keys(pattern: $"{serviceId}/state/schedule*").Select(k => k.ToString()).Order(StringComparer.Ordinal)];

    /// <summary>The stored bytes of one schedule's state (null when there is no key).</summary>
    public static async Task<byte[]?> StateBytesAsync(RedisServer redis, string serviceId, string name) =>
        (byte[]?)await redis.Connection.GetDatabase().HashGetAsync($"{serviceId}/state/schedule/{name}/schedule", "data");

    /// <summary>Replaces the stored bytes of one schedule's state, keeping its ETag (as if an older release had written them).</summary>
    public static Task SetStateBytesAsync(RedisServer redis, string serviceId, string name, byte[] bytes) =>
        redis.Connection.GetDatabase().HashSetAsync($"{serviceId}/state/schedule/{name}/schedule", "data", bytes);

    /// <summary>Deletes one schedule's stored state behind its grain's back (as a delete whose answer was lost).</summary>
    public static Task<bool> DeleteStateAsync(RedisServer redis, string serviceId, string name) =>
        redis.Connection.GetDatabase().KeyDeleteAsync($"{serviceId}/state/schedule/{name}/schedule");

    /// <summary>Whether the reminder table holds the reminder of this schedule.</summary>
    public static async Task<bool> HasReminderAsync(RedisServer redis, string serviceId, string name)
    {
        var entries = await redis.Connection.GetDatabase().SortedSetRangeByRankAsync($"{serviceId}/reminders");
        return entries.Any(e => e.ToString().Contains($"\"schedule/{name}\",\"dtq-schedule\"", StringComparison.Ordinal));
    }
}
