// The durability check's log lines: one warning per risky Redis setting, so an operator sees what can be lost.
using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue;

internal sealed partial class RedisDurabilityCheck
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {Endpoint} has {Setting} {Value}: {Loss}. TaskQueue:RedisDurability = Require refuses to start on such a Redis; the README's 'Redis settings' says what the guarantees assume.")]
    private partial void LogRisk(string endpoint, string setting, string value, string loss);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis durability could not be checked on {Endpoint} ({Reason}): make sure it runs with appendonly yes, appendfsync always and maxmemory-policy noeviction, or acknowledged tasks can be lost.")]
    private partial void LogUnchecked(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis {Endpoint} keeps every acknowledged task: appendonly yes, appendfsync always, no eviction.")]
    private partial void LogDurable(string endpoint);
}
