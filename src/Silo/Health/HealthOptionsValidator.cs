using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Checks <see cref="HealthOptions"/> when the silo starts; each failure names its key.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    private const string Section = "TaskQueue:Health";

    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.WorkerStallMargin < TimeSpan.FromSeconds(1) || options.WorkerStallMargin > TimeSpan.FromHours(1))
            failures.Add($"{Section}:WorkerStallMargin must be 1 s..1 hour, was {options.WorkerStallMargin}.");
        if (options.RedisTimeout < TimeSpan.FromMilliseconds(100) || options.RedisTimeout > TimeSpan.FromMinutes(1))
            failures.Add($"{Section}:RedisTimeout must be 0.1 s..1 min, was {options.RedisTimeout}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
