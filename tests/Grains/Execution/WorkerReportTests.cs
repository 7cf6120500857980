using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>The worker's reports to the cluster's worker directory, on the fake clock of a whole worker without a silo.</summary>
public sealed class WorkerReportTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task TheWorker_ReportsAtStartAndEveryInterval_ItsSlotsAndCounts_AndUnregistersAtStop()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = Harness(gate, o => o.MaxConcurrentTasks = 3);
        var start = harness.Time.GetUtcNow();
        await harness.StartAsync();
        await harness.UntilAsync(() => harness.Directory.Reports.Count == 1);
        var first = harness.Directory.Reports[0];
        Assert.Equal(["q"], first.Queues);
        Assert.Equal(3, first.MaxConcurrentTasks);
        Assert.Equal((0, 0L, 0L), (first.Busy, first.Succeeded, first.Failed));
        Assert.Equal(start, first.StartedAt);
        Assert.EndsWith("127.0.0.1:11111@1", first.WorkerId, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:11111@1", first.Silo);

        harness.Partition.Add(WorkerHarness.Leased("gated", 1), WorkerHarness.Leased("fails", 2));
        await harness.UntilAsync(() => harness.Directory.Reports.Any(r => r.Busy == 1 && r.Failed == 1), step: Interval);
        gate.SetResult();
        await harness.UntilAsync(() => harness.Directory.Reports[^1] is { Busy: 0, Succeeded: 1, Failed: 1 }, step: Interval);
        Assert.All(harness.Directory.Reports, r => Assert.Equal(start, r.StartedAt));

        await harness.StopAsync();

        Assert.Equal(first.WorkerId, harness.Directory.Unregistered);
    }

    [Fact]
    public async Task ADirectoryThatRefusesReports_NeverHoldsUpTheTasks_AndIsAskedAgainEachInterval()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        await using var harness = Harness(gate, _ => { });
        harness.Directory.Refusing = true;
        harness.Partition.Add(WorkerHarness.Leased("gated", 1), WorkerHarness.Leased("gated", 2));
        await harness.StartAsync();

        await harness.UntilAsync(() => harness.Partition.Completed.Length == 2);
        await harness.UntilAsync(() => harness.Directory.Refused >= 3, step: Interval);
        Assert.Empty(harness.Directory.Reports);
        harness.Directory.Refusing = false;
        await harness.UntilAsync(() => harness.Directory.Reports.Any(r => r.Succeeded == 2), step: Interval);

        await harness.StopAsync();
    }

    private static WorkerHarness Harness(TaskCompletionSource gate, Action<WorkerOptions> configure) =>
        new(configure, services => services.AddSingleton(new Handler(gate)), typeof(Handler));

    /// <summary>"gated" waits for the test's gate; anything else fails.</summary>
    private sealed class Handler(TaskCompletionSource gate) : IRawTaskHandler
    {
        public bool CanHandle(string taskName) => true;

        public async Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken)
        {
            if (taskName != "gated") throw new InvalidOperationException("fails");
            await gate.Task.WaitAsync(cancellationToken);
            return "{}";
        }
    }
}
