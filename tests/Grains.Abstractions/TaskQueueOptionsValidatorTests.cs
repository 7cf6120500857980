namespace DistributedTaskQueue.Tests.Grains.Abstractions;

/// <summary>The shared settings' validator, which clients and silos both run at start: each refusal names its key.</summary>
public sealed class TaskQueueOptionsValidatorTests
{
    private static string[] Failures(Action<TaskQueueOptions> change)
    {
        var options = new TaskQueueOptions();
        change(options);
        return [.. new TaskQueueOptionsValidator().Validate(null, options).Failures ?? []];
    }

    public static TheoryData<string, Action<TaskQueueOptions>> BadSettings => new()
    {
        { "TaskQueue:ClusterId must be set.", o => o.ClusterId = " " },
        { "TaskQueue:ServiceId must be set.", o => o.ServiceId = "" },
        { "TaskQueue:DefaultQueue 'no spaces' is not a valid queue name.", o => o.DefaultQueue = "no spaces" },
        { "TaskQueue:PartitionsPerQueue must be 1..256.", o => o.PartitionsPerQueue = 0 },
        { "TaskQueue:PartitionsPerQueue must be 1..256.", o => o.PartitionsPerQueue = 257 },
        { "TaskQueue:MaxPayloadBytes must be 1..67108864.", o => o.MaxPayloadBytes = 0 },
        { "TaskQueue:MaxPayloadBytes must be 1..67108864.", o => o.MaxPayloadBytes = 64 * 1024 * 1024 + 1 },
        { "TaskQueue:DefaultRetry: RetryPolicy.MaxRetries must be 0..1000, was -1.", o => o.DefaultRetry = new RetryPolicy { MaxRetries = -1 } },
    };

    [Fact]
    public void Validate_AcceptsTheDefaults() => Assert.True(new TaskQueueOptionsValidator().Validate(null, new TaskQueueOptions()).Succeeded);

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_RefusesEachBadSetting_NamingItsKey(string message, Action<TaskQueueOptions> change) =>
        Assert.Equal([message], Failures(change));

    [Fact]
    public void Validate_AcceptsTheLimitsThemselves()
    {
        Assert.Empty(Failures(o =>
        {
            o.PartitionsPerQueue = 256;
            o.MaxPayloadBytes = 64 * 1024 * 1024;
            o.DefaultRetry = RetryPolicy.None;
        }));
    }

    [Fact]
    public void Validate_ReportsEveryBadSetting_NotOnlyTheFirst()
    {
        var failures = Failures(o =>
        {
            o.ClusterId = "";
            o.PartitionsPerQueue = 0;
        });

        Assert.Equal(["TaskQueue:ClusterId must be set.", "TaskQueue:PartitionsPerQueue must be 1..256."], failures);
    }
}
