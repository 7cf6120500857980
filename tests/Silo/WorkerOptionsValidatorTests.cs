namespace DistributedTaskQueue.Tests.Silo;

/// <summary>The worker settings' validator, run when a silo starts: each refusal names its key.</summary>
public sealed class WorkerOptionsValidatorTests
{
    private static string[] Failures(Action<WorkerOptions> change)
    {
        var options = new WorkerOptions();
        change(options);
        return [.. new WorkerOptionsValidator().Validate(null, options).Failures ?? []];
    }

    public static TheoryData<string, Action<WorkerOptions>> BadSettings => new()
    {
        { "TaskQueue:Worker:Queues has an invalid queue name 'a b'.", o => o.Queues = ["ok", "a b"] },
        { "TaskQueue:Worker:MaxConcurrentTasks must be 1..100000.", o => o.MaxConcurrentTasks = 0 },
        { "TaskQueue:Worker:MaxConcurrentTasks must be 1..100000.", o => o.MaxConcurrentTasks = 100_001 },
        { "TaskQueue:Worker:PollingInterval must be 0.1..25 s (a lease call must end well within Orleans' 30 s call timeout).", o => o.PollingInterval = TimeSpan.FromMilliseconds(99) },
        { "TaskQueue:Worker:PollingInterval must be 0.1..25 s (a lease call must end well within Orleans' 30 s call timeout).", o => o.PollingInterval = TimeSpan.FromSeconds(26) },
        { "TaskQueue:Worker:TaskTimeout must be positive, was 00:00:00.", o => o.TaskTimeout = TimeSpan.Zero },
        { "TaskQueue:Worker:TaskTimeout of 25.00:00:00 is over the limit of 24 days; use Timeout.InfiniteTimeSpan for no timeout.", o => o.TaskTimeout = TimeSpan.FromDays(25) },
        { "TaskQueue:Worker:HeartbeatInterval must be 0.1 s..1 hour.", o => o.HeartbeatInterval = TimeSpan.Zero },
        { "TaskQueue:Worker:HeartbeatInterval must be 0.1 s..1 hour.", o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(99) },
        { "TaskQueue:Worker:HeartbeatInterval must be 0.1 s..1 hour.", o => o.HeartbeatInterval = TimeSpan.FromHours(2) },
        { "TaskQueue:Worker:ShutdownGracePeriod must be 0..1 hour.", o => o.ShutdownGracePeriod = TimeSpan.FromSeconds(-1) },
        { "TaskQueue:Worker:ShutdownGracePeriod must be 0..1 hour.", o => o.ShutdownGracePeriod = TimeSpan.FromHours(2) },
        { "TaskQueue:Worker:ReportInterval must be 0.1 s..5 min.", o => o.ReportInterval = TimeSpan.Zero },
        { "TaskQueue:Worker:ReportInterval must be 0.1 s..5 min.", o => o.ReportInterval = TimeSpan.FromMilliseconds(99) },
        { "TaskQueue:Worker:ReportInterval must be 0.1 s..5 min.", o => o.ReportInterval = TimeSpan.FromMinutes(6) },
    };

    [Fact]
    public void Validate_AcceptsTheDefaults() => Assert.True(new WorkerOptionsValidator().Validate(null, new WorkerOptions()).Succeeded);

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_RefusesEachBadSetting_NamingItsKey(string message, Action<WorkerOptions> change) =>
        Assert.Equal([message], Failures(change));

    [Fact]
    public void Validate_AcceptsAGatewayOnlySilo_AndNoTaskTimeout()
    {
        Assert.Empty(Failures(o =>
        {
            o.Queues = [];
            o.TaskTimeout = Timeout.InfiniteTimeSpan;
            o.ShutdownGracePeriod = TimeSpan.Zero;
        }));
    }
}
