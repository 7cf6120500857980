using DistributedTaskQueue.Schedules;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Grains.Schedules;

/// <summary>The schedule settings' validator, run when a silo starts.</summary>
public sealed class ScheduleOptionsValidatorTests
{
    private static ValidateOptionsResult Check(TimeSpan period) =>
        new ScheduleOptionsValidator().Validate(null, new ScheduleOptions { ReminderPeriod = period });

    [Theory]
    [InlineData(60)]
    [InlineData(1)]
    [InlineData(600)]
    public void Validate_AcceptsAReminderPeriodFromASecondToTenMinutes(int seconds) =>
        Assert.True(Check(TimeSpan.FromSeconds(seconds)).Succeeded);

    [Theory]
    [InlineData(999)]
    [InlineData(600_001)]
    public void Validate_RefusesAReminderPeriodOutOfRange_NamingItsKey(int milliseconds) =>
        Assert.Equal(["TaskQueue:Schedules:ReminderPeriod must be 1 s to 10 min."], Check(TimeSpan.FromMilliseconds(milliseconds)).Failures ?? []);
}
