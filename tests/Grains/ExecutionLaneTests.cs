using DistributedTaskQueue.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// A consumer's execution lane without a silo, on a fake clock: one executor grain call per session, not per hand-over;
/// a session ends only once the lane is quiet (or old); what a failed call never started goes back Released.
/// </summary>
public sealed class ExecutionLaneTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeExecutor _executor = new();
    private readonly Listener _listener = new();
    private readonly Runner _runner = new();
    private readonly ExecutionLanes _lanes = new();
    private readonly ExecutionLane _lane;

    public ExecutionLaneTests() =>
        _lane = new ExecutionLane(_lanes, _executor, _listener, "worker-1", TimeSpan.FromMinutes(5), _time, NullLogger.Instance, CancellationToken.None);

    [Fact]
    public void HandOvers_WhileTheCallTravels_JoinIt_AndOnceItIsOpen_GoStraightToTheGrain_WithNoFurtherCall()
    {
        _lane.HandOver([Leased(1)]);
        _lane.HandOver([Leased(2), Leased(3)]);

        Assert.Equal([(_lane.Key, 1L)], _executor.Calls.Select(c => (c.Lane, c.Session)));
        Assert.Empty(_runner.Started);

        _lane.Open(1, _runner);
        _lane.HandOver([Leased(4)]);
        _lane.HandOver([Leased(5)]);

        Assert.Equal([1L, 2, 3, 4, 5], _runner.Started.Select(t => t.Lease.Sequence));
        Assert.Single(_executor.Calls);
        Assert.Same(_lane, _lanes.Find(_lane.Key));
    }

    [Fact]
    public void ASession_EndsOnlyOnceNothingHasRunForTheLinger_AndTheNextHandOverAsksForANewOne()
    {
        _lane.HandOver([Leased(1)]);
        _lane.Open(1, _runner);

        _time.Advance(ExecutionLane.Linger * 3);
        Assert.True(_lane.EndOrWait(1) > TimeSpan.Zero); // an attempt still runs

        _lane.Finished(Leased(1), Succeeded(1), TimeSpan.Zero);
        _time.Advance(ExecutionLane.Linger - TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1), _lane.EndOrWait(1));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, _lane.EndOrWait(1));

        _lane.HandOver([Leased(2)]);
        Assert.Equal([1L, 2], _executor.Calls.Select(c => c.Session));
        Assert.Equal([1L], _runner.Started.Select(t => t.Lease.Sequence)); // waits for session 2
        Assert.Equal([1L], _listener.Finished.Select(f => f.Task.Lease.Sequence));
    }

    [Fact]
    public void ASession_EndsAtItsMaximumAge_EvenWhileBusy_AndWhatItStartedStillReports()
    {
        _lane.HandOver([Leased(1)]);
        _lane.Open(1, _runner);
        for (var elapsed = TimeSpan.Zero; elapsed < ExecutionLane.MaxSession; elapsed += TimeSpan.FromMilliseconds(500))
        {
            Assert.True(_lane.EndOrWait(1) > TimeSpan.Zero);
            _time.Advance(TimeSpan.FromMilliseconds(500));
            _lane.HandOver([Leased(10 + (long)elapsed.TotalMilliseconds)]);
        }

        Assert.Equal(TimeSpan.Zero, _lane.EndOrWait(1));
        _lane.Finished(Leased(1), Succeeded(1), TimeSpan.Zero);

        Assert.Equal([1L], _listener.Finished.Select(f => f.Task.Lease.Sequence));
        Assert.Single(_executor.Calls);
    }

    [Fact]
    public async Task ACallThatFailsBeforeTheGrainOpensIt_HandsWhatWaitedBackReleased_AndThatSessionCanNoLongerOpen()
    {
        _lane.HandOver([Leased(1)]);
        _lane.HandOver([Leased(2)]);

        _executor.Calls[0].Reply.SetException(new TimeoutException("lost"));
        await _listener.WhenFinished(2);

        Assert.Equal([1L, 2], _listener.Finished.Select(f => f.Task.Lease.Sequence));
        Assert.All(_listener.Finished, f => Assert.IsType<TaskOutcome.Released>(f.Completion?.Outcome));
        Assert.Throws<InvalidOperationException>(() => _lane.Open(1, _runner));
        Assert.Empty(_runner.Started);

        _lane.HandOver([Leased(3)]);
        Assert.Equal([1L, 2], _executor.Calls.Select(c => c.Session));
    }

    [Fact]
    public void OnlyTheSessionAskedFor_Opens()
    {
        Assert.Throws<InvalidOperationException>(() => _lane.Open(1, _runner)); // nothing asked for

        _lane.HandOver([Leased(1)]);

        Assert.Throws<InvalidOperationException>(() => _lane.Open(2, _runner));
        _lane.Open(1, _runner);
        Assert.Throws<InvalidOperationException>(() => _lane.Open(1, _runner)); // opened once
        Assert.Single(_runner.Started);
    }

    [Fact]
    public async Task Close_EndsTheOpenSessionAtOnce_WaitsForItsCall_AndLeavesTheSilosLanes()
    {
        _lane.HandOver([Leased(1)]);
        _lane.Open(1, _runner);
        _lane.Finished(Leased(1), Succeeded(1), TimeSpan.Zero);
        var waiting = _lane.WaitAsync(ExecutionLane.Linger);

        var closing = _lane.CloseAsync();

        await waiting.WaitAsync(TimeSpan.FromSeconds(5)); // no clock advanced: the close woke it
        Assert.Equal(TimeSpan.Zero, _lane.EndOrWait(1));
        Assert.False(closing.IsCompleted); // the call has not returned yet
        _executor.Calls[0].Reply.SetResult();
        await closing.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(_lanes.Find(_lane.Key));
        Assert.Throws<InvalidOperationException>(() => _lane.HandOver([Leased(2)]));
    }

    private static LeasedTask Leased(long sequence) =>
        new(new TaskId("lane", 0, sequence), "test.record", [], new LeaseToken(sequence, 1, 1), null, DateTimeOffset.UnixEpoch);

    private static TaskCompletion Succeeded(long sequence) => new(new LeaseToken(sequence, 1, 1), new TaskOutcome.Succeeded([]));

    private sealed class FakeExecutor : ITaskExecutorGrain
    {
        public List<(long Lane, long Session, TaskCompletionSource Reply)> Calls { get; } = [];

        public Task ServeAsync(long lane, long session)
        {
            var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Calls.Add((lane, session, reply));
            return reply.Task;
        }
    }

    private sealed class Runner : IAttemptRunner
    {
        public List<LeasedTask> Started { get; } = [];

        public void Start(LeasedTask task, ExecutionLane lane) => Started.Add(task);
    }

    private sealed class Listener : IExecutionListener
    {
        public List<(LeasedTask Task, TaskCompletion? Completion)> Finished { get; } = [];

        public CancellationToken CancellationOf(LeaseToken attempt) => CancellationToken.None;

        /// <summary>Waits until <paramref name="count"/> outcomes came (a failed call's hand-back runs on the thread pool).</summary>
        public async Task WhenFinished(int count)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (Count() < count)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{Count()} outcomes within 5 s");
                await Task.Delay(5);
            }
        }

        private int Count()
        {
            lock (Finished) return Finished.Count;
        }

        void IExecutionListener.Finished(LeasedTask task, TaskCompletion? completion, TimeSpan duration)
        {
            lock (Finished) Finished.Add((task, completion));
        }
    }
}
