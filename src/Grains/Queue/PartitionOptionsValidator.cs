using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Queue;

/// <summary>Checks <see cref="PartitionOptions"/> when the silo starts; each failure names its configuration key.</summary>
internal sealed class PartitionOptionsValidator : IValidateOptions<PartitionOptions>
{
    /// <summary>Largest result limit: 64 MiB.</summary>
    private const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>Fewer resident records than this would evict the working set of a busy partition on every change.</summary>
    private const int MinResidentTasks = 256;

    public ValidateOptionsResult Validate(string? name, PartitionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxResultBytes is < 1 or > MaxBytes) failures.Add($"TaskQueue:MaxResultBytes must be 1..{MaxBytes}.");
        Retention(failures, "TaskQueue:ResultTtl", options.ResultTtl);
        Retention(failures, "TaskQueue:FailedTtl", options.FailedTtl);
        if (options.CleanupInterval <= TimeSpan.Zero || options.CleanupInterval > TimeSpan.FromDays(1))
            failures.Add("TaskQueue:CleanupInterval must be positive and at most a day.");
        if (options.MaxResidentTasks < MinResidentTasks) failures.Add($"TaskQueue:MaxResidentTasks must be at least {MinResidentTasks}.");
        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration > TimeSpan.FromDays(1))
            failures.Add("TaskQueue:LeaseDuration must be 1 s..1 day.");
        if (options.SubmitDedupeWindow < TimeSpan.FromSeconds(5) || options.SubmitDedupeWindow > TimeSpan.FromHours(1))
            failures.Add("TaskQueue:SubmitDedupeWindow must be 5 s..1 hour.");
        if (options.FailoverHoldBack < TimeSpan.Zero || options.FailoverHoldBack > TimeSpan.FromHours(1))
            failures.Add("TaskQueue:FailoverHoldBack must be 0..1 hour.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Retention(List<string> failures, string key, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero || ttl > TaskRules.MaxHorizon)
            failures.Add($"{key} must be positive and at most {TaskRules.MaxHorizon.TotalDays:0} days.");
    }
}
