using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Schedules;

/// <summary>Checks <see cref="ScheduleOptions"/> when the silo starts; each failure names its configuration key.</summary>
internal sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Why these bounds: see ScheduleOptions.ReminderPeriod.
        return options.ReminderPeriod < TimeSpan.FromSeconds(1) || options.ReminderPeriod > TimeSpan.FromMinutes(10)
            ? ValidateOptionsResult.Fail("TaskQueue:Schedules:ReminderPeriod must be 1 s to 10 min.")
            : ValidateOptionsResult.Success;
    }
}
