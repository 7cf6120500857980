using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// Checks the silo's own settings in <see cref="TaskQueueSiloOptions"/> (not its parts: each has its validator, run
/// at start). They shape the host while it is built (endpoints, the durability check), so they are checked then.
/// </summary>
internal sealed class TaskQueueSiloOptionsValidator : IValidateOptions<TaskQueueSiloOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskQueueSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Ports and the advertised address are left to Orleans' own endpoint checks (a gateway port of 0 means none).
        var failures = new List<string>();
        if (!Enum.IsDefined(options.RedisDurability))
            failures.Add($"TaskQueue:RedisDurability must be Warn, Require or Off, was {(int)options.RedisDurability}.");
        if (options.FailureDetection is null) failures.Add("TaskQueue:FailureDetection must not be null.");
        else if (new FailureDetectionOptionsValidator().Validate(name, options.FailureDetection) is { Failed: true } detection) failures.AddRange(detection.Failures);
        // The parts below have their own validators at start; a null part would fail before they run, so it is named here.
        if (options.Dashboard is null) failures.Add("TaskQueue:Dashboard must not be null.");
        if (options.Health is null) failures.Add("TaskQueue:Health must not be null.");
        if (options.Access is null) failures.Add("TaskQueue:Access must not be null.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every failure.</summary>
    public static void ThrowIfInvalid(TaskQueueSiloOptions options)
    {
        var result = new TaskQueueSiloOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(TaskQueueSiloOptions), result.Failures);
    }
}
