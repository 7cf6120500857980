using DistributedTaskQueue.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// "The worker consumes", on a fake clock: a consumer's lease loop is stalled when no lease call came back for longer than
/// the limit, time spent waiting for a free slot not counted; the readiness check turns that into Unhealthy.
/// </summary>
public sealed class WorkerProgressTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void ALoopIsStalled_OnlyAfterTheLimitWithoutALeaseCallComingBack()
    {
        var progress = new WorkerProgress(_time);
        var consumer = progress.Register("q:0");
        consumer.SlotTaken();

        _time.Advance(Limit);
        Assert.Empty(progress.Stalled(Limit));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["q:0"], progress.Stalled(Limit));

        consumer.Leased();
        Assert.Empty(progress.Stalled(Limit));
    }

    [Fact]
    public void WaitingForASlot_IsNotStalling_AndItsTimeIsNotCounted()
    {
        var progress = new WorkerProgress(_time);
        var consumer = progress.Register("q:0");
        _time.Advance(TimeSpan.FromSeconds(20));

        consumer.WaitingForSlot();
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(progress.Stalled(Limit));

        // 20 s before the wait, then 10 s leasing: exactly the limit, not over it.
        consumer.SlotTaken();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(progress.Stalled(Limit));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["q:0"], progress.Stalled(Limit));
    }

    [Fact]
    public void OnlyTheStuckLoops_AreNamed()
    {
        var progress = new WorkerProgress(_time);
        var a = progress.Register("a:0");
        var b = progress.Register("b:0");
        var c = progress.Register("c:0");
        _time.Advance(Limit + TimeSpan.FromSeconds(1));
        b.Leased();

        Assert.Equal(["a:0", "c:0"], progress.Stalled(Limit));
        a.Leased();
        c.WaitingForSlot();
        Assert.Empty(progress.Stalled(Limit));
    }

    [Fact]
    public async Task TheReadinessCheck_IsUnhealthyBeforeTheWorkerStarts_AndWhileALoopIsStuck_NamingIt()
    {
        var progress = new WorkerProgress(_time);
        var worker = new WorkerOptions { Queues = ["q"], PollingInterval = TimeSpan.FromSeconds(10) };
        var check = new WorkerHealthCheck(progress, Options.Create(worker), Options.Create(new HealthOptions { WorkerStallMargin = TimeSpan.FromSeconds(20) }));

        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        var consumer = progress.Register("q:0");
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        _time.Advance(TimeSpan.FromSeconds(31));
        var stuck = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, stuck.Status);
        Assert.Contains("q:0", stuck.Description, StringComparison.Ordinal);
        Assert.Contains("30 s", stuck.Description, StringComparison.Ordinal);

        consumer.Leased();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task ASiloServingNoQueues_IsReadyWithNoConsumer()
    {
        var check = new WorkerHealthCheck(new WorkerProgress(_time), Options.Create(new WorkerOptions { Queues = [] }), Options.Create(new HealthOptions()));

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }
}
