using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>The task-name gate alone (fake clock, a catalog read counted): when it reads, what it refuses, what it never refuses.</summary>
public sealed class TaskNameGateTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-03T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private TaskCatalog _catalog = Catalog("emails.send");
    private int _reads;
    private bool _unavailable;

    private TaskNameGate Gate() => new(() =>
    {
        _reads++;
        return _unavailable ? Task.FromException<TaskCatalog>(new TimeoutException("catalog grain unreachable")) : Task.FromResult(_catalog);
    }, _time, NullLogger.Instance);

    [Fact]
    public async Task AKnownName_PassesWithOneRead_AndTheCatalogIsTrustedForItsMaxAge()
    {
        var gate = Gate();
        await gate.CheckAsync([Submission("emails.send")]);
        _time.Advance(TaskNameGate.KnownMaxAge - TimeSpan.FromSeconds(1));
        await gate.CheckAsync([Submission("emails.send")]);
        Assert.Equal(1, _reads);
        _time.Advance(TimeSpan.FromSeconds(2));
        await gate.CheckAsync([Submission("emails.send")]);
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task AnUnknownName_IsRefusedNamingItAndWhatWorkersHandle_AfterAFreshRead()
    {
        var gate = Gate();
        await gate.CheckAsync([Submission("emails.send")]);
        var refused = await Assert.ThrowsAsync<InvalidTaskException>(() => gate.CheckAsync([Submission("emails.send"), Submission("reports.build")]));
        Assert.Equal("TaskName", refused.Field);
        Assert.Contains("'reports.build'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("emails.send", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, _reads); // read again before refusing, though the cached catalog was fresh
    }

    [Fact]
    public async Task AHandlerDeployedAMomentAgo_IsNotRefused_BecauseTheGateRereadsBeforeRefusing()
    {
        var gate = Gate();
        await gate.CheckAsync([Submission("emails.send")]);
        _catalog = Catalog("emails.send", "reports.build");
        await gate.CheckAsync([Submission("reports.build")]);
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task NoWorkersYet_AcceptsEveryName_AndReadsAgainAfterTheShortMaxAge()
    {
        _catalog = TaskCatalog.Unknown;
        var gate = Gate();
        await gate.CheckAsync([Submission("anything")]);
        _time.Advance(TaskNameGate.EmptyMaxAge / 2);
        await gate.CheckAsync([Submission("anything")]);
        Assert.Equal(1, _reads);
        _time.Advance(TaskNameGate.EmptyMaxAge);
        _catalog = Catalog("emails.send");
        await Assert.ThrowsAsync<InvalidTaskException>(() => gate.CheckAsync([Submission("anything")]));
    }

    [Fact]
    public async Task ACatalogThatCannotBeRead_RefusesNothing()
    {
        _unavailable = true;
        var gate = Gate();
        await gate.CheckAsync([Submission("never.registered")]);
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task ARawHandlerForAnyName_LetsEveryNameThrough()
    {
        _catalog = new TaskCatalog(1, true, new HashSet<string>(StringComparer.Ordinal));
        await Gate().CheckAsync([Submission("whatever.it.is")]);
    }

    private static TaskCatalog Catalog(params string[] names) => new(1, false, new HashSet<string>(names, StringComparer.Ordinal));

    private static TaskSubmission Submission(string name) => new() { TaskName = name, Payload = "{}"u8.ToArray() };
}
