using DistributedTaskQueue.Execution;
using DistributedTaskQueue.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// A review of the execution path with hostile handlers, early cancels and hostile worker settings, on a fake clock.
/// The rule every test here holds: each attempt ends in exactly one well-formed outcome the partition accepts. An
/// attempt whose executor throws reports nothing, and since an expired lease counts no failure, its task would run
/// again at every lease expiry, forever: never dead-lettered (invariant 7).
/// </summary>
public sealed class ExecutorReviewTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;
    private readonly TaskExecutor _executor;

    public ExecutorReviewTests()
    {
        var collection = new ServiceCollection();
        collection.AddScoped<HostileHandler>();
        collection.AddScoped<ThrowingProbeHandler>();
        _services = collection.BuildServiceProvider();
        // The probe that throws is asked first, as a raw handler registered before the others would be.
        var registry = new TaskHandlerRegistry([.. TaskHandlerDescriptor.For(typeof(ThrowingProbeHandler)), .. TaskHandlerDescriptor.For(typeof(HostileHandler))], _services);
        _executor = new TaskExecutor(registry, _services, Options.Create(new PartitionOptions()), _time, NullLoggerFactory.Instance);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    public static TheoryData<string> HandlersThatFail =>
    [
        "hostile.sync-throw",
        "hostile.faulted-task",
        "hostile.cancelled-task",
        "hostile.oce-without-cancel",
        "hostile.null-task",
        "hostile.null-result",
        "hostile.huge-message",
        // Exceptions whose members are hostile: a Message that is null or throws, a StackTrace that throws.
        "hostile.null-message",
        "hostile.throwing-message",
        "hostile.throwing-stacktrace",
        // Work done, then the handler's scope (its scoped services) fails to dispose.
        "hostile.dispose-throws",
        // A raw handler's CanHandle throws while the registry looks for the task's handler.
        "probe.throws",
    ];

    [Theory]
    [MemberData(nameof(HandlersThatFail))]
    public async Task EveryHostileHandler_EndsItsAttemptInAWellFormedFailure_NeverInAnExecutorException(string taskName)
    {
        var completion = await _executor.RunAsync(Leased(taskName), "w", TimeSpan.FromMinutes(5), CancellationToken.None, CancellationToken.None);

        var failed = Assert.IsType<TaskOutcome.Failed>(completion.Outcome);
        Assert.True(TaskRules.IsWellFormed(failed));
        Assert.True(failed.Error.Message.Length <= TaskRules.MaxErrorMessageLength);
        Assert.True((failed.Error.StackTrace?.Length ?? 0) <= TaskRules.MaxStackTraceLength);
    }

    [Fact]
    public async Task AHandlersOwnTimeoutException_IsReportedAsItsOwn_NotAsTheAttemptsTimeout()
    {
        var completion = await _executor.RunAsync(Leased("hostile.own-timeout"), "w", TimeSpan.FromMinutes(5), CancellationToken.None, CancellationToken.None);

        var failed = Assert.IsType<TaskOutcome.Failed>(completion.Outcome);
        Assert.Equal(typeof(TimeoutException).FullName, failed.Error.Type);
        Assert.Equal("the database did not answer", failed.Error.Message);
    }

    [Fact]
    public async Task AHandlerThatIgnoresItsToken_EndsAtItsTimeout_AsARetryableTimeout()
    {
        // RunAsync returns once the attempt waits on its handler: its timeout's timer is armed on the fake clock by then.
        var run = _executor.RunAsync(Leased("hostile.never-ends", timeout: TimeSpan.FromSeconds(3)), "w", TimeSpan.FromMinutes(5), CancellationToken.None, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(3));

        var failed = Assert.IsType<TaskOutcome.Failed>((await run.WaitAsync(TimeSpan.FromSeconds(10))).Outcome);
        Assert.Equal("Timeout", failed.Error.Type);
        Assert.True(failed.Retryable);
    }

    [Fact]
    public async Task ACancelWhileAHandlerIgnoresItsToken_EndsTheAttemptCancelled_AndAShutdownPastGraceReleasesIt()
    {
        using var cancel = new CancellationTokenSource();
        using var stop = new CancellationTokenSource();
        var cancelled = _executor.RunAsync(Leased("hostile.never-ends", sequence: 1), "w", Timeout.InfiniteTimeSpan, cancel.Token, CancellationToken.None);
        var stopped = _executor.RunAsync(Leased("hostile.never-ends", sequence: 2), "w", Timeout.InfiniteTimeSpan, CancellationToken.None, stop.Token);

        await cancel.CancelAsync();
        await stop.CancelAsync();

        var failed = Assert.IsType<TaskOutcome.Failed>((await cancelled.WaitAsync(TimeSpan.FromSeconds(10))).Outcome);
        Assert.Equal("Cancelled", failed.Error.Type);
        Assert.False(failed.Retryable);
        Assert.IsType<TaskOutcome.Released>((await stopped.WaitAsync(TimeSpan.FromSeconds(10))).Outcome);
    }

    [Fact]
    public async Task AnEnormousResult_FailsForGood_AsResultTooLarge()
    {
        var completion = await _executor.RunAsync(Leased("hostile.enormous-result"), "w", TimeSpan.FromMinutes(5), CancellationToken.None, CancellationToken.None);

        var failed = Assert.IsType<TaskOutcome.Failed>(completion.Outcome);
        Assert.Equal("ResultTooLarge", failed.Error.Type);
        Assert.False(failed.Retryable);
    }

    [Fact]
    public void ACancelThatArrivesBeforeTheConsumerRegisteredItsAttempt_StillStopsTheAttempt()
    {
        // The partition sends a cancel (one-way, once) as soon as it is durable; it can reach the consumer before the
        // lease reply that carries the attempt has been handed over (PartitionConsumer.CancelAsync, then HandOver).
        var running = new RunningAttempts();
        var token = new LeaseToken(7, 1, 3);

        running.Stop([token]);
        var attempt = running.Start(token);

        Assert.True(attempt.Cancelled.IsCancellationRequested);
    }

    [Fact]
    public void CancelsOfAttemptsThatNeverRunHere_AreRememberedOnlyBoundedly_AndNeverStopAnotherAttempt()
    {
        var running = new RunningAttempts();
        for (var sequence = 0; sequence < 100_000; sequence++) running.Stop([new LeaseToken(sequence, 1, 1)]);

        Assert.True(running.EarlyCancels <= RunningAttempts.MaxEarlyCancels);
        Assert.False(running.Start(new LeaseToken(99_999, 2, 1)).Cancelled.IsCancellationRequested); // a newer attempt
        Assert.True(running.Start(new LeaseToken(99_999, 1, 1)).Cancelled.IsCancellationRequested);
    }

    [Fact]
    public void AQueueServedTwice_IsRefusedAtStartUp()
    {
        // Two consumers of one partition under one worker id and both counting lease calls from 0: the partition takes
        // the second one's calls for retries of the first's and hands it the first's running tasks (Reclaim).
        var result = new WorkerOptionsValidator().Validate(null, new WorkerOptions { Queues = ["emails", "reports", "emails"] });

        Assert.Equal(["TaskQueue:Worker:Queues names 'emails' more than once."], result.Failures ?? []);
    }

    [Fact]
    public async Task AtStop_AnAttemptInFlight_FinishesWithinTheGrace_AndItsOutcomeIsReportedBeforeTheWorkerStops()
    {
        var gate = new Gate();
        await using var harness = Harness(gate, o => o.ShutdownGracePeriod = TimeSpan.FromMinutes(1));
        harness.Partition.Add(WorkerHarness.Leased("gated", 1));
        await harness.StartAsync();
        await harness.UntilAsync(() => gate.Started == 1);

        var stopping = harness.StopAsync();
        gate.Release();
        await stopping;

        var completion = Assert.Single(harness.Partition.Completed);
        Assert.IsType<TaskOutcome.Succeeded>(completion.Outcome);
    }

    [Theory]
    [InlineData("gated")]
    [InlineData("gated-deaf")] // ignores its token
    public async Task AtStop_PastTheGrace_AnAttemptStillRunning_IsHandedBackReleased_BeforeTheWorkerStops(string name)
    {
        var gate = new Gate();
        await using var harness = Harness(gate, o => o.ShutdownGracePeriod = TimeSpan.Zero);
        harness.Partition.Add(WorkerHarness.Leased(name, 1));
        await harness.StartAsync();
        await harness.UntilAsync(() => gate.Started == 1);

        await harness.StopAsync();

        Assert.IsType<TaskOutcome.Released>(Assert.Single(harness.Partition.Completed).Outcome);
    }

    [Fact]
    public async Task AtStop_ARawHandlerWhoseTaskNamesThrows_DoesNotSkipTheDrain()
    {
        // Registry.KnownNames reads every raw handler's TaskNames; read outside the catalog loop's try, a throw there
        // faulted the loop, and the shutdown that awaits it stopped before draining: attempts still running were
        // neither finished, nor handed back, nor reported.
        var gate = new Gate();
        await using var harness = Harness(gate, o => o.ShutdownGracePeriod = TimeSpan.Zero, typeof(NamesThrowHandler));
        harness.Partition.Add(WorkerHarness.Leased("gated", 1));
        await harness.StartAsync();
        await harness.UntilAsync(() => gate.Started == 1);

        await harness.StopAsync();

        Assert.IsType<TaskOutcome.Released>(Assert.Single(harness.Partition.Completed).Outcome);
    }

    [Fact]
    public async Task AtStop_AReportThatIsBeingRetried_IsDeliveredBeforeTheWorkerStops()
    {
        var gate = new Gate();
        await using var harness = Harness(gate, o => o.ShutdownGracePeriod = TimeSpan.FromMinutes(1));
        harness.Partition.OnComplete = call =>
        {
            if (call <= 3) throw new TimeoutException($"report {call} lost");
        };
        harness.Partition.Add(WorkerHarness.Leased("gated", 1));
        await harness.StartAsync();
        await harness.UntilAsync(() => gate.Started == 1);
        gate.Release();
        await harness.UntilAsync(() => harness.Partition.CompleteCalls >= 1);

        var stopping = harness.StopAsync();
        await harness.UntilAsync(() => stopping.IsCompleted, step: TimeSpan.FromMilliseconds(100));
        await stopping;

        Assert.Equal(4, harness.Partition.CompleteCalls);
        Assert.IsType<TaskOutcome.Succeeded>(Assert.Single(harness.Partition.Completed).Outcome);
    }

    [Fact]
    public async Task OneSlot_HostileHandlersOneAfterAnother_NeitherLeakTheSlot_NorLoseAnOutcome()
    {
        var gate = new Gate();
        await using var harness = Harness(gate, o => o.MaxConcurrentTasks = 1, typeof(ThrowingProbeHandler), typeof(HostileHandler));
        string[] names = ["hostile.null-message", "probe.throws", "hostile.dispose-throws", "hostile.sync-throw", "hostile.never-ends", "hostile.throwing-message"];
        harness.Partition.Add([.. names.Select((name, i) => WorkerHarness.Leased(name, i + 1, name == "hostile.never-ends" ? TimeSpan.FromSeconds(1) : null))]);
        await harness.StartAsync();

        await harness.UntilAsync(() => harness.Partition.Completed.Length == names.Length, step: TimeSpan.FromMilliseconds(500));
        await harness.StopAsync();

        Assert.All(harness.Partition.Completed, c => Assert.IsType<TaskOutcome.Failed>(c.Outcome));
        Assert.Equal(Enumerable.Range(1, names.Length).Select(i => (long)i), harness.Partition.Completed.Select(c => c.Sequence).Order());
    }

    [Fact]
    public void AWorkerIdTooLongForThePartition_IsRefusedAtStartUp_NotByEveryLeaseCall()
    {
        // The partition refuses worker ids over 300 characters (TaskQueueGrain.CheckWorkerId), and the worker's id is
        // "{WorkerId}@{silo address}": a long WorkerId made every lease call fail, retried each second, forever.
        var result = new WorkerOptionsValidator().Validate(null, new WorkerOptions { WorkerId = new string('w', 280) });

        Assert.Equal(["TaskQueue:Worker:WorkerId must be at most 200 characters (the silo's address is added to it)."], result.Failures ?? []);
        Assert.True(new WorkerOptionsValidator().Validate(null, new WorkerOptions { WorkerId = new string('w', 200) }).Succeeded);
    }

    [Fact]
    public void APausedWorkersLateOutcomes_AfterItsLeaseExpiredAndTheRerunSucceeded_AreAllRejected()
    {
        var options = new PartitionOptions();
        var partition = new DistributedTaskQueue.Queue.QueuePartition("q", 0, options, new RetryPolicy { MaxRetries = 3, Jitter = 0 }, () => 0.5, null);
        var id = partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
        // The same worker id both times: only the token fences the zombie, not who it is.
        var zombie = Assert.Single(partition.Lease("w", 0, 1, _time.GetUtcNow()));
        _time.Advance(options.LeaseDuration);
        Assert.Equal(1, partition.ExpireLeases(_time.GetUtcNow()));
        var rerun = Assert.Single(partition.Lease("w", 1, 1, _time.GetUtcNow()));
        Assert.True(partition.Complete(new TaskCompletion(rerun.Lease, new TaskOutcome.Succeeded("\"rerun\""u8.ToArray())), _time.GetUtcNow(), "w"));

        // The paused process wakes: its renewal, success, failure and release all come too late.
        Assert.False(partition.Renew("w", zombie.Lease, _time.GetUtcNow()));
        Assert.False(partition.Complete(new TaskCompletion(zombie.Lease, new TaskOutcome.Succeeded("\"zombie\""u8.ToArray())), _time.GetUtcNow(), "w"));
        Assert.False(partition.Complete(new TaskCompletion(zombie.Lease, new TaskOutcome.Failed(new TaskError("late", "X", null, 1, _time.GetUtcNow()), Retryable: true)), _time.GetUtcNow(), "w"));
        Assert.False(partition.Complete(new TaskCompletion(zombie.Lease, new TaskOutcome.Released()), _time.GetUtcNow(), "w"));

        var info = partition.GetInfo(id.Sequence)!;
        Assert.Equal(TaskState.Succeeded, info.State);
        Assert.Equal("\"rerun\"", info.ResultJson);
        Assert.Equal(3, partition.StaleCompletions);
    }

    [Fact]
    public async Task CompletionsThatPiledUpWhileAReportWasSlow_GoInBatchesOfBoundedSize_AndAllArrive()
    {
        var partition = new WorkerHarness.ScriptedPartition();
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        partition.Hold = slow.Task;
        var reporter = new CompletionReporter(partition, "w", _time, NullLogger.Instance);
        var result = new byte[1024 * 1024];
        result[0] = (byte)'1';
        reporter.Add(new TaskCompletion(new LeaseToken(0, 1, 1), new TaskOutcome.Released()));
        for (var sequence = 1; sequence <= 200; sequence++) reporter.Add(new TaskCompletion(new LeaseToken(sequence, 1, 1), new TaskOutcome.Succeeded(result)));

        slow.SetResult();
        await reporter.DrainAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(201, partition.Completed.Length);
        Assert.All(partition.Batches, batch => Assert.True(batch.Sum(c => (c.Outcome as TaskOutcome.Succeeded)?.Result.Length ?? 0) <= CompletionReporter.MaxBatchBytes,
            $"a batch of {batch.Length} completions carries {batch.Sum(c => (c.Outcome as TaskOutcome.Succeeded)?.Result.Length ?? 0):N0} result bytes"));
    }

    [Fact]
    public async Task ACancelWhileTheHandlerRuns_EndsItCancelled_AndThatIsReported()
    {
        var gate = new Gate();
        await using var harness = Harness(gate, o => { });
        harness.Partition.Add(WorkerHarness.Leased("gated", 1));
        await harness.StartAsync();
        await harness.UntilAsync(() => gate.Started == 1);

        await harness.Partition.Holder!.CancelAsync([new LeaseToken(1, 1, 1)]);
        await harness.UntilAsync(() => harness.Partition.Completed.Length == 1);
        await harness.StopAsync();

        var failed = Assert.IsType<TaskOutcome.Failed>(Assert.Single(harness.Partition.Completed).Outcome);
        Assert.Equal("Cancelled", failed.Error.Type);
    }

    [Fact]
    public async Task ACancelThatOvertakesTheLeaseReply_StillStopsTheHandler_AndThatIsReported()
    {
        var gate = new Gate();
        await using var harness = Harness(gate, o => { });
        harness.Partition.CancelBeforeReply = true;
        harness.Partition.Add(WorkerHarness.Leased("gated", 1));
        await harness.StartAsync();

        await harness.UntilAsync(() => harness.Partition.Completed.Length == 1);
        await harness.StopAsync();

        var failed = Assert.IsType<TaskOutcome.Failed>(Assert.Single(harness.Partition.Completed).Outcome);
        Assert.Equal("Cancelled", failed.Error.Type);
    }

    [Fact]
    public async Task AtStop_TasksALostLeaseReplyCarried_GoBackInLineBeforeTheWorkerStops_NotAtTheirLeasesExpiry()
    {
        // The lease loop retries a failed lease call under its number, so the partition hands a lost reply's tasks back
        // (Reclaim); a call that failed as the worker stopped was never retried, and its tasks waited out their leases.
        var gate = new Gate();
        await using var harness = Harness(gate, o => { });
        harness.Partition.LoseReplyAtStop = true;
        await harness.StartAsync();
        await harness.UntilAsync(() => harness.Partition.Holder is not null);
        harness.Partition.AddQuietly(WorkerHarness.Leased("gated", 1), WorkerHarness.Leased("gated", 2));

        await harness.StopAsync();

        Assert.Equal([1L, 2], harness.Partition.PutBack.Select(t => t.Lease.Sequence));
        Assert.Equal(0, gate.Started);
    }

    [Fact]
    public async Task ARawHandlerTakingEveryName_DoesNotMakeALoggerCategoryPerTaskNameForever()
    {
        // The logger factory keeps every category it ever made, so a category per task name grows the silo's memory with
        // the history of names a catch-all raw handler ran (invariant 6), not with the work in flight.
        using var categories = new CategoryCounter();
        using var factory = LoggerFactory.Create(b => b.AddProvider(categories));
        var registry = new TaskHandlerRegistry(TaskHandlerDescriptor.For(typeof(HostileHandler)), _services);
        var executor = new TaskExecutor(registry, _services, Options.Create(new PartitionOptions()), _time, factory);

        for (var i = 0; i < 5_000; i++)
            await executor.RunAsync(Leased($"hostile.job-{i}", i), "w", TimeSpan.FromMinutes(5), CancellationToken.None, CancellationToken.None);

        Assert.InRange(categories.Count, 1, TaskExecutor.MaxLoggerCategories + 1);
    }

    [Fact]
    public void ALeaseReply_CarriesAboutSixteenMebibytesOfPayloads_AtMost_AndTheRestFollowInOrder()
    {
        // A worker with 256 free slots asks for 256 tasks; at 1 MiB payloads that was one 256 MiB reply, over Orleans'
        // 100 MB message body limit: it failed every time, and the retry under the same number got the same tasks back.
        var partition = new DistributedTaskQueue.Queue.QueuePartition("q", 0, new PartitionOptions(), new RetryPolicy(), () => 0.5, null);
        var payload = System.Text.Encoding.UTF8.GetBytes("\"" + new string('p', 1024 * 1024) + "\"");
        var ids = Enumerable.Range(0, 40).Select(_ => partition.Submit(new TaskSubmission { TaskName = "t", Payload = payload }, _time.GetUtcNow())).ToList();
        partition.CommitStaged(partition.TakeStaged());

        var replies = new List<List<LeasedTask>>();
        for (var request = 0; replies.Sum(r => r.Count) < ids.Count && request < 40; request++) replies.Add(partition.Lease("w", request, 256, _time.GetUtcNow()));

        Assert.All(replies, reply => Assert.True(reply.Sum(t => (long)t.Payload.Length) <= DistributedTaskQueue.Queue.QueuePartition.MaxLeaseBytes,
            $"a reply of {reply.Count} tasks carries {reply.Sum(t => (long)t.Payload.Length):N0} payload bytes"));
        Assert.Equal(ids.Select(i => i.Sequence), replies.SelectMany(r => r).Select(t => t.Id.Sequence));
    }

    private static WorkerHarness Harness(Gate gate, Action<WorkerOptions> configure, params Type[] more) =>
        new(configure, services =>
        {
            services.AddSingleton(gate);
            services.AddScoped<GatedHandler>();
            foreach (var type in more) services.AddScoped(type);
        }, [typeof(GatedHandler), .. more]);

    private static LeasedTask Leased(string name, long sequence = 1, TimeSpan? timeout = null) =>
        new(new TaskId("review", 0, sequence), name, "{}"u8.ToArray(), new LeaseToken(sequence, 1, 1), timeout, DateTimeOffset.UnixEpoch);

    private sealed class Gate
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public Task WaitAsync()
        {
            Interlocked.Increment(ref _started);
            return _open.Task;
        }

        public void Release() => _open.TrySetResult();
    }

    /// <summary>"gated" waits for the gate or its token; "gated-deaf" only for the gate.</summary>
    private sealed class GatedHandler(Gate gate) : IRawTaskHandler
    {
        public bool CanHandle(string taskName) => taskName.StartsWith("gated", StringComparison.Ordinal);

        public async Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken)
        {
            var open = gate.WaitAsync();
            await (taskName == "gated-deaf" ? open : open.WaitAsync(cancellationToken));
            return "{}";
        }
    }

    private sealed class NamesThrowHandler : IRawTaskHandler
    {
        public IReadOnlyCollection<string>? TaskNames => throw new InvalidOperationException("names unavailable");

        public bool CanHandle(string taskName) => false;

        public Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken) => Task.FromResult("{}");
    }

    private sealed class CategoryCounter : ILoggerProvider
    {
        private readonly HashSet<string> _categories = [];

        public int Count
        {
            get
            {
                lock (_categories) return _categories.Count;
            }
        }

        public ILogger CreateLogger(string categoryName)
        {
            lock (_categories) _categories.Add(categoryName);
            return NullLogger.Instance;
        }

        public void Dispose()
        {
        }
    }

    private sealed class HostileHandler : IRawTaskHandler, IDisposable, IAsyncDisposable
    {
        private bool _failDispose;

        public bool CanHandle(string taskName) => taskName.StartsWith("hostile.", StringComparison.Ordinal);

        public Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken) => taskName switch
        {
            "hostile.sync-throw" => throw new InvalidOperationException("before any await"),
            "hostile.faulted-task" => Task.FromException<string>(new InvalidOperationException("faulted")),
            "hostile.cancelled-task" => Task.FromCanceled<string>(new CancellationToken(canceled: true)),
            "hostile.oce-without-cancel" => throw new OperationCanceledException("nobody cancelled"),
            "hostile.null-task" => null!,
            "hostile.null-result" => Task.FromResult<string>(null!),
            "hostile.huge-message" => throw new InvalidOperationException(new string('m', 1_000_000)),
            "hostile.null-message" => throw new NullMessageException(),
            "hostile.throwing-message" => throw new ThrowingMessageException(),
            "hostile.throwing-stacktrace" => throw new ThrowingStackTraceException(),
            "hostile.dispose-throws" => FailDisposeAfterSuccess(),
            "hostile.own-timeout" => throw new TimeoutException("the database did not answer"),
            "hostile.never-ends" => new TaskCompletionSource<string>().Task,
            "hostile.enormous-result" => Task.FromResult("\"" + new string('r', 2 * 1024 * 1024) + "\""),
            _ => Task.FromResult("{}"),
        };

        public void Dispose()
        {
            GC.SuppressFinalize(this);
            if (_failDispose) throw new InvalidOperationException("the scope's resource failed to close");
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private Task<string> FailDisposeAfterSuccess()
        {
            _failDispose = true;
            return Task.FromResult("{}");
        }
    }

    private sealed class ThrowingProbeHandler : IRawTaskHandler
    {
        public bool CanHandle(string taskName) => taskName == "probe.throws" ? throw new InvalidOperationException("probe failed") : false;

        public Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken) => Task.FromResult("{}");
    }

#pragma warning disable CA1065, CA1064, CA1032 // Hostile on purpose: exceptions whose members misbehave, as a handler's may.
    private sealed class NullMessageException : Exception
    {
        public override string Message => null!;
    }

    private sealed class ThrowingMessageException : Exception
    {
        public override string Message => throw new InvalidOperationException("no message for you");
    }

    private sealed class ThrowingStackTraceException : Exception
    {
        public override string? StackTrace => throw new InvalidOperationException("no stack for you");
    }
#pragma warning restore CA1065, CA1064, CA1032
}
