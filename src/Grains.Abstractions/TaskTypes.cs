using System.Collections.Concurrent;
using System.Reflection;

namespace DistributedTaskQueue;

/// <summary>Reads a task type's stable name and defaults from its attributes (cached).</summary>
public static class TaskTypes
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    /// <summary>The <see cref="TaskNameAttribute"/> name, or the type's name.</summary>
    public static string NameOf(Type taskType)
    {
        ArgumentNullException.ThrowIfNull(taskType);
        return Names.GetOrAdd(taskType, static t => t.GetCustomAttribute<TaskNameAttribute>()?.Name ?? t.Name);
    }

    /// <summary>The type's <see cref="TaskDefaultsAttribute"/>, if any.</summary>
    public static TaskDefaultsAttribute? DefaultsOf(Type taskType)
    {
        ArgumentNullException.ThrowIfNull(taskType);
        return taskType.GetCustomAttribute<TaskDefaultsAttribute>();
    }

    /// <summary>The retry policy the defaults describe, layered over <paramref name="fallback"/>; null when the type sets none.</summary>
    public static RetryPolicy? RetryOf(TaskDefaultsAttribute? defaults, RetryPolicy fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        if (defaults is null || (defaults.MaxRetries < 0 && defaults.RetryDelaySeconds < 0 && defaults.MaxDelaySeconds < 0)) return null;
        return fallback with
        {
            MaxRetries = defaults.MaxRetries >= 0 ? defaults.MaxRetries : fallback.MaxRetries,
            RetryDelay = defaults.RetryDelaySeconds >= 0 ? TimeSpan.FromSeconds(defaults.RetryDelaySeconds) : fallback.RetryDelay,
            ExponentialBackoff = defaults.ExponentialBackoff,
            MaxDelay = defaults.MaxDelaySeconds >= 0 ? TimeSpan.FromSeconds(defaults.MaxDelaySeconds) : fallback.MaxDelay,
        };
    }
}
