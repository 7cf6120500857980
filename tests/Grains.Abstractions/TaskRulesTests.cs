namespace DistributedTaskQueue.Tests.Grains.Abstractions;

/// <summary>The one set of submission rules the client and the owning partition both apply: each refusal names its field.</summary>
public sealed class TaskRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TaskQueueOptions Options = new() { MaxPayloadBytes = 1024 };

    private static TaskSubmission Valid => new() { TaskName = "email.send", Payload = """{"to":"a@b"}"""u8.ToArray() };

    private static string RefusedField(TaskSubmission submission) =>
        Assert.Throws<InvalidTaskException>(() => TaskRules.Validate(submission, Options, Now)).Field!;

    [Theory]
    [InlineData("garbage")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")] // all-zero ids are invalid in W3C
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n")]
    public void Validate_RefusesATraceParentThatIsNotW3C_NamingTheField(string parent)
    {
        var ex = Assert.Throws<InvalidTaskException>(() => TaskRules.Validate(Valid with { TraceParent = parent }, Options, Now));
        Assert.Equal("TraceParent", ex.Field);
    }

    [Fact]
    public void Validate_RefusesAnOverlongTraceParent_AndAcceptsAW3COne()
    {
        TaskRules.Validate(Valid with { TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }, Options, Now);
        var ex = Assert.Throws<InvalidTaskException>(() => TaskRules.Validate(
            Valid with { TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" + new string('a', TaskTracing.MaxTraceParentLength) }, Options, Now));
        Assert.Equal("TraceParent", ex.Field);
    }

    [Fact]
    public void Validate_AcceptsAPlainSubmission_AndEveryDefinedPriority()
    {
        foreach (var priority in Enum.GetValues<TaskPriority>()) TaskRules.Validate(Valid with { Priority = priority }, Options, Now);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(int.MaxValue)]
    public void Validate_RefusesAPriorityOutOfRange_NamingPriority(int priority) =>
        Assert.Equal("Priority", RefusedField(Valid with { Priority = (TaskPriority)priority }));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\tname")]
    [InlineData("new\nline")]
    [InlineData("nul\0")]
    [InlineData("\ud800lonely")]
    public void Validate_RefusesABadTaskName_NamingTaskName(string name) =>
        Assert.Equal("TaskName", RefusedField(Valid with { TaskName = name }));

    [Fact]
    public void Validate_RefusesATaskNameOverTheLengthLimit_AndAcceptsOneAtIt()
    {
        TaskRules.Validate(Valid with { TaskName = new string('n', TaskRules.MaxTaskNameLength) }, Options, Now);
        Assert.Equal("TaskName", RefusedField(Valid with { TaskName = new string('n', TaskRules.MaxTaskNameLength + 1) }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("not json")]
    [InlineData("{\"a\":1,}")]
    public void Validate_RefusesAPayloadThatIsNotOneJsonValue(string payload) =>
        Assert.Equal("Payload", RefusedField(Valid with { Payload = System.Text.Encoding.UTF8.GetBytes(payload) }));

    [Fact]
    public void Validate_RefusesAPayloadOverTheLimit_OrMissing()
    {
        Assert.Equal("Payload", RefusedField(Valid with { Payload = System.Text.Encoding.UTF8.GetBytes($"\"{new string('x', 1100)}\"") }));
        Assert.Equal("Payload", RefusedField(Valid with { Payload = null! }));
    }

    [Fact]
    public void Validate_TakesInfiniteAndMaxValueTimeouts_AsNoTimeout_AndRefusesOtherOutOfRangeOnes()
    {
        TaskRules.Validate(Valid with { Timeout = Timeout.InfiniteTimeSpan }, Options, Now);
        TaskRules.Validate(Valid with { Timeout = TimeSpan.MaxValue }, Options, Now);
        TaskRules.Validate(Valid with { Timeout = TaskRules.MaxTimeout }, Options, Now);
        Assert.True(TaskRules.IsUnlimited(TimeSpan.MaxValue));
        Assert.Equal("Timeout", RefusedField(Valid with { Timeout = TimeSpan.Zero }));
        Assert.Equal("Timeout", RefusedField(Valid with { Timeout = TimeSpan.FromSeconds(-5) }));
        Assert.Equal("Timeout", RefusedField(Valid with { Timeout = TimeSpan.FromDays(50) }));
    }

    [Fact]
    public void Validate_RefusesANotBeforeBeyondTheHorizon_AndAnExpiryNotAfterIt()
    {
        TaskRules.Validate(Valid with { NotBefore = DateTimeOffset.MinValue }, Options, Now);
        Assert.Equal("NotBefore", RefusedField(Valid with { NotBefore = DateTimeOffset.MaxValue }));
        Assert.Equal("ExpiresAt", RefusedField(Valid with { NotBefore = Now.AddHours(1), ExpiresAt = Now.AddHours(1) }));
        TaskRules.Validate(Valid with { ExpiresAt = DateTimeOffset.MinValue }, Options, Now); // already expired: accepted, dead-lettered as expired
    }

    [Fact]
    public void Validate_RefusesAResultRetentionOutOfRange()
    {
        Assert.Equal("ResultTtl", RefusedField(Valid with { ResultTtl = TimeSpan.Zero }));
        Assert.Equal("ResultTtl", RefusedField(Valid with { ResultTtl = TimeSpan.MaxValue }));
        TaskRules.Validate(Valid with { ResultTtl = TimeSpan.FromDays(30) }, Options, Now);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ctl\u0001")]
    public void Validate_RefusesABadIdempotencyKey(string key) =>
        Assert.Equal("IdempotencyKey", RefusedField(Valid with { IdempotencyKey = key }));

    [Fact]
    public void Validate_RefusesAnIdempotencyKeyOverTheLimit() =>
        Assert.Equal("IdempotencyKey", RefusedField(Valid with { IdempotencyKey = new string('k', TaskRules.MaxIdempotencyKeyLength + 1) }));

    [Fact]
    public void Validate_RefusesRetryDelaysThatWouldOverflowADueTime()
    {
        Assert.Equal("RetryPolicy.MaxDelay", RefusedField(Valid with { Retry = new RetryPolicy { MaxDelay = TimeSpan.MaxValue } }));
        Assert.Equal("RetryPolicy.RetryDelay", RefusedField(Valid with { Retry = new RetryPolicy { RetryDelay = TimeSpan.FromDays(400) } }));
        Assert.Equal("RetryPolicy.RetryDelay", RefusedField(Valid with { Retry = new RetryPolicy { RetryDelay = TimeSpan.FromTicks(-1) } }));
        Assert.Equal("RetryPolicy.Jitter", RefusedField(Valid with { Retry = new RetryPolicy { Jitter = double.NaN } }));
        Assert.Equal("RetryPolicy.MaxRetries", RefusedField(Valid with { Retry = new RetryPolicy { MaxRetries = int.MaxValue } }));
    }

    [Fact]
    public void Bounded_CutsHugeErrors_AndKeepsSmallOnesAsTheyAre()
    {
        var small = new TaskError("boom", "X", "at here", 1, Now);
        Assert.Same(small, TaskRules.Bounded(small));

        var huge = TaskRules.Bounded(new TaskError(new string('m', 100_000), new string('t', 10_000), new string('s', 1_000_000), 1, Now));

        Assert.Equal(TaskRules.MaxErrorMessageLength, huge.Message.Length);
        Assert.Equal(TaskRules.MaxErrorTypeLength, huge.Type!.Length);
        Assert.Equal(TaskRules.MaxStackTraceLength, huge.StackTrace!.Length);
    }
}
