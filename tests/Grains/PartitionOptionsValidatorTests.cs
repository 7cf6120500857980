using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>The partition settings' validator, run when a silo starts: each refusal names its key.</summary>
public sealed class PartitionOptionsValidatorTests
{
    private static string[] Failures(Action<PartitionOptions> change)
    {
        var options = new PartitionOptions();
        change(options);
        return [.. new PartitionOptionsValidator().Validate(null, options).Failures ?? []];
    }

    public static TheoryData<string, Action<PartitionOptions>> BadSettings => new()
    {
        { "TaskQueue:MaxResultBytes must be 1..67108864.", o => o.MaxResultBytes = 0 },
        { "TaskQueue:MaxResultBytes must be 1..67108864.", o => o.MaxResultBytes = 64 * 1024 * 1024 + 1 },
        { "TaskQueue:ResultTtl must be positive and at most 3650 days.", o => o.ResultTtl = TimeSpan.Zero },
        { "TaskQueue:ResultTtl must be positive and at most 3650 days.", o => o.ResultTtl = TimeSpan.FromDays(3651) },
        { "TaskQueue:FailedTtl must be positive and at most 3650 days.", o => o.FailedTtl = TimeSpan.FromSeconds(-1) },
        { "TaskQueue:CleanupInterval must be positive and at most a day.", o => o.CleanupInterval = TimeSpan.Zero },
        { "TaskQueue:CleanupInterval must be positive and at most a day.", o => o.CleanupInterval = TimeSpan.FromDays(2) },
        { "TaskQueue:MaxResidentTasks must be at least 256.", o => o.MaxResidentTasks = 255 },
        { "TaskQueue:LeaseDuration must be 1 s..1 day.", o => o.LeaseDuration = TimeSpan.FromMilliseconds(999) },
        { "TaskQueue:LeaseDuration must be 1 s..1 day.", o => o.LeaseDuration = TimeSpan.FromDays(2) },
        { "TaskQueue:FailoverHoldBack must be 0..1 hour.", o => o.FailoverHoldBack = TimeSpan.FromSeconds(-1) },
        { "TaskQueue:FailoverHoldBack must be 0..1 hour.", o => o.FailoverHoldBack = TimeSpan.FromHours(2) },
    };

    [Fact]
    public void Validate_AcceptsTheDefaults() => Assert.True(new PartitionOptionsValidator().Validate(null, new PartitionOptions()).Succeeded);

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_RefusesEachBadSetting_NamingItsKey(string message, Action<PartitionOptions> change) =>
        Assert.Equal([message], Failures(change));

    [Fact]
    public void Validate_AcceptsTheLimitsThemselves()
    {
        Assert.Empty(Failures(o =>
        {
            o.MaxResultBytes = 1;
            o.ResultTtl = TaskRules.MaxHorizon;
            o.FailedTtl = TaskRules.MaxHorizon;
            o.CleanupInterval = TimeSpan.FromDays(1);
            o.MaxResidentTasks = 256;
            o.LeaseDuration = TimeSpan.FromSeconds(1);
            o.FailoverHoldBack = TimeSpan.Zero;
        }));
    }
}
