using System.Collections.Concurrent;
using System.Diagnostics;
using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using DistributedTaskQueue.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Adversarial review on real Redis: single hostile calls straight to a partition grain, and retention's storage
/// bookkeeping. "The partition reloaded" is read from its own error log (a write or change that failed breaks
/// the group commit, fails every caller in flight and deactivates the grain).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class HostileCallTests(RedisFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Task<TaskQueueCluster> StartAsync(string queue, ErrorLog log, Action<string, TaskQueueSiloOptions>? configure = null, string? serviceId = null) =>
        TaskQueueCluster.StartAsync(fixture.Redis, [queue], concurrency: 4, serviceId: serviceId, configure: configure,
            services: s => s.AddSingleton<ILoggerProvider>(log));

    [Fact]
    public async Task OneCancelOfANegativeSequence_IsAnsweredUnknown_AndDoesNotReloadThePartition()
    {
        const string queue = "atk-negative";
        var log = new ErrorLog();
        await using var cluster = await StartAsync(queue, log);
        var ok = await cluster.Client.SubmitAsync(new RecordTask("first"), queue);
        Assert.Equal("first", await cluster.Client.WaitForResultAsync<string>(ok, Timeout));
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));

        // TaskId is a public record struct: any client can build one with a negative sequence and call CancelAsync.
        var cancel = await Record.ExceptionAsync(() => cluster.Client.CancelAsync(new TaskId(queue, 0, -1)));
        var read = await Record.ExceptionAsync(() => partition.GetTaskAsync(-1));
        output.WriteLine($"cancel: {cancel?.GetType().Name}: {cancel?.Message}");
        output.WriteLine($"read: {read?.GetType().Name}: {read?.Message}");
        output.WriteLine(string.Join(Environment.NewLine, log.Errors));

        Assert.Null(cancel);
        Assert.Null(read);
        Assert.DoesNotContain(log.Errors, e => e.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetryDeadLetters_WithADuplicatedSequence_RetriesOnce_AndDoesNotReloadThePartition()
    {
        const string queue = "atk-dup-retry";
        var log = new ErrorLog();
        await using var cluster = await StartAsync(queue, log);
        var dead = await cluster.Client.SubmitAsync(new FailTask("dead"), queue, new TaskOptions { Retry = RetryPolicy.None });
        await Assert.ThrowsAsync<TaskExecutionException>(() => cluster.Client.WaitForResultAsync<string>(dead, Timeout));
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(dead.PartitionKey);

        var retried = await Record.ExceptionAsync(() => partition.RetryDeadLettersAsync([dead.Sequence, dead.Sequence], null));
        output.WriteLine($"retry: {retried?.GetType().Name}: {retried?.Message}");

        Assert.Null(retried);
        Assert.DoesNotContain(log.Errors, e => e.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACompletionWithAFailureCarryingNoError_IsRefused_AndDoesNotReloadThePartition()
    {
        const string queue = "atk-null-error";
        var log = new ErrorLog();
        // No worker serves this queue: the test leases as any client can (the grain interface is open).
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], services: s => s.AddSingleton<ILoggerProvider>(log),
            configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        await partition.SubmitAsync([new TaskSubmission { TaskName = "x", Payload = "{}"u8.ToArray() }, new TaskSubmission { TaskName = "x", Payload = "{}"u8.ToArray() }]);
        var leased = await partition.LeaseAsync("hostile", 0, 2, TimeSpan.Zero, null);
        Assert.Equal(2, leased.Length);

        // The other task's worker reports at the same moment: its ack is collateral damage of the reload.
        var good = partition.CompleteAsync("hostile", [new TaskCompletion(leased[1].Lease, new TaskOutcome.Succeeded("1"u8.ToArray()))]);
        var bad = await Record.ExceptionAsync(() => partition.CompleteAsync("hostile",
            [new TaskCompletion(leased[0].Lease, new TaskOutcome.Failed(null!, true))]));
        var goodResult = await Record.ExceptionAsync(() => good);
        output.WriteLine($"bad: {bad?.GetType().Name}: {bad?.Message}");
        output.WriteLine($"good: {goodResult?.GetType().Name}: {goodResult?.Message}");
        output.WriteLine(string.Join(Environment.NewLine, log.Errors));

        Assert.True(bad is null or ArgumentException, $"refused with {bad?.GetType().Name}");
        Assert.DoesNotContain(log.Errors, e => e.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetentionOfTheOldestSegment_NeverFailsAWrite_AndLeavesOnlyTheHead()
    {
        const string queue = "atk-retention";
        var serviceId = Guid.NewGuid().ToString("N");
        var log = new ErrorLog();
        await using var cluster = await StartAsync(queue, log, (_, s) => s.Partitions.CleanupInterval = TimeSpan.FromSeconds(1), serviceId);
        // One full segment (so segment 0 is not the tail) whose results expire after a second.
        var ids = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, TaskSegment.Capacity).Select(i => new RecordTask($"r{i}")), queue,
            new TaskOptions { ResultTtl = TimeSpan.FromSeconds(1) });
        await cluster.Client.WaitForResultAsync<string>(ids[^1], Timeout);
        await ClusterProbes.Eventually(async () => (await cluster.Client.GetQueueStatsAsync(queue)).Succeeded == ids.Count, Timeout, "all succeeded");

        // Retention deletes seg-0; the next write carries tombstone page 0 and, page 0 being below FirstSegment now,
        // also clears it: a write and a clear of one key with one ETag in the same batch.
        await ClusterProbes.Eventually(() => Task.FromResult(Keys(serviceId, "seg-*").Count == 0), Timeout, "retention deleted segment 0");
        await Task.Delay(TimeSpan.FromSeconds(3));
        output.WriteLine(string.Join(Environment.NewLine, log.Errors));
        output.WriteLine("keys: " + string.Join(", ", fixture.Redis.Server.Keys(pattern: $"{serviceId}/state/*").Select(k => k.ToString())));

        Assert.DoesNotContain(log.Errors, e => e.Contains("failed", StringComparison.Ordinal));
        // README: "A partition whose tasks all expired keeps only its head".
        Assert.Empty(Keys(serviceId, "gone-*"));
    }

    [Fact]
    public async Task ABrokenPartition_ServesAgainWithinSeconds_EvenWhileAResultWaiterIsParked()
    {
        const string queue = "atk-parked";
        // A Redis of its own: this test makes it refuse writes to break the partition.
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TaskQueueCluster.StartAsync(redis, [queue], concurrency: 4, configure: (_, s) => s.Worker.ShutdownGracePeriod = TimeSpan.Zero);
        var slow = await cluster.Client.SubmitAsync(new WaitTask("slow", 30_000), queue);
        await ClusterProbes.WaitForExecution(queue, 1, Timeout);
        // A client waits for the slow task's result: one WaitAsync call parked on the partition for 20 s.
        var waiting = cluster.Client.WaitForResultAsync<string>(slow, TimeSpan.FromMinutes(2));
        await Task.Delay(500);

        // A write that fails breaks the group commit: the partition deactivates to reload. The client sends a refused
        // submit again until its SubmitTimeout (2 s for this client), then gives up saying the outcome is unknown.
        await redis.Server.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", "1");
        var impatient = new TaskClient(cluster.Cluster.Client, Options.Create(new TaskQueueOptions { SubmitTimeout = TimeSpan.FromSeconds(2) }));
        var refused = await Assert.ThrowsAsync<TaskQueueUnavailableException>(() => impatient.SubmitAsync(new RecordTask("refused"), queue));
        Assert.Contains("may have been accepted", refused.Message, StringComparison.Ordinal);
        // One sent while writes still fail rides out the break: the client sends it again until writes work.
        var during = cluster.Client.SubmitAsync(new RecordTask("during"), queue);
        // The break lasts seconds more: the parked waiter, woken by it, asks again until writes work (CI once saw a
        // waiter that gave up after three quick tries while the partition still reloaded).
        await Task.Delay(3000);
        await redis.Server.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", "0");

        var clock = Stopwatch.StartNew();
        await during;
        output.WriteLine($"the submit sent during the break was acknowledged {clock.Elapsed} after writes worked again");

        // Invariant 13: the parked wait ends with the break, so the reload does not wait for it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the partition served again only after {clock.Elapsed}");
        Assert.True(await cluster.Client.CancelAsync(slow));
        await Assert.ThrowsAsync<TaskCancelledException>(() => waiting);
    }

    [Fact]
    public async Task APartitionFailoverRightAfterALease_DoesNotHandTheTaskToASecondWorker_WhileTheFirstStillHoldsIt()
    {
        const string queue = "atk-marks";
        // A Redis of its own: this test pauses its writes.
        await using var redis = await RedisServer.StartAsync();
        // No worker loops: the test is the workers (the grain interface is what every worker calls).
        // Activations and warnings too: which activations there were, and whether one dropped A's report as stale.
        var log = new ErrorLog(LogLevel.Information);
        await using var cluster = await TaskQueueCluster.StartAsync(redis, [], silos: 2, configure: (_, s) =>
        {
            s.Partitions.RefuseUnknownTaskNames = false;
            s.Partitions.LeaseDuration = TimeSpan.FromSeconds(30);
        }, services: s => s.AddSingleton<ILoggerProvider>(log).AddLogging(l => l.AddFilter<ErrorLog>("DistributedTaskQueue", LogLevel.Information)));
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        var submission = new TaskSubmission { TaskName = "x", Payload = "{}"u8.ToArray() };
        var x = (await partition.SubmitAsync([submission])).Single();
        // The silo the partition lives on is the one the test kills. It is not moved to a chosen silo first: a moved
        // partition's new activation has written nothing yet, so A's lease below waited behind the stalled write (no
        // lease before an activation's epoch is durable), its mark landed before the kill, and the lost mark this test
        // is about never happened (the new activation found X running, not pending).
        var victim = await ClusterProbes.OwnerSilo(cluster, x.PartitionKey);

        // A write is in flight and slow (Redis stalls writes for 2 s: a busy Redis, an fsync, a failover)...
        await redis.Server.ExecuteAsync("CLIENT", "PAUSE", "2000", "WRITE");
        var inFlight = partition.SubmitAsync([submission]);
        await Task.Delay(200);
        // ...when worker A leases X. The lease is handed out at once; its mark waits behind the slow write.
        var a = await partition.LeaseAsync("worker-a", 0, 1, TimeSpan.Zero, null);
        Assert.Equal(x.Sequence, Assert.Single(a).Id.Sequence);
        // A is alive and running X: it renews every heartbeat with the worker's own heartbeat, wherever the partition
        // lives. A renewal that reaches the dying silo may never answer (the test's client, unlike a silo, is not told
        // the silo died; it happened in some runs, not in most): the heartbeat then gives it up after one beat and sends
        // the next, as a worker does. That path itself is pinned by LeaseHeartbeatTests, not here.
        using var stopRenewing = new CancellationTokenSource();
        var lostByA = 0;
        var run = Stopwatch.StartNew();
        var killedAtTicks = long.MaxValue;
        var answeredAfterKill = 0;
        var renewals = new ConcurrentQueue<string>();
        var renewing = new LeaseHeartbeat(TimeSpan.FromMilliseconds(500), TimeProvider.System, () => [a[0].Lease], async leases =>
        {
            var sent = run.Elapsed;
            var lost = await partition.RenewAsync("worker-a", leases);
            renewals.Enqueue($"{sent.TotalSeconds:0.00}+{(run.Elapsed - sent).TotalSeconds:0.00} s: lost {lost.Length}");
            // Its silo is dead: a renewal sent since that answers was answered by the new activation.
            if (sent.Ticks > Volatile.Read(ref killedAtTicks)) Interlocked.Increment(ref answeredAfterKill);
            return lost;
        }, lost => Interlocked.Add(ref lostByA, lost.Length), ex => renewals.Enqueue($"{run.Elapsed.TotalSeconds:0.00} s: {ex.GetType().Name}")).RunAsync(stopRenewing.Token);
        // The silo hosting the partition dies.
        await cluster.Cluster.KillSiloAsync(victim);
        Volatile.Write(ref killedAtTicks, run.Elapsed.Ticks);
        output.WriteLine($"killed at {run.Elapsed.TotalSeconds:0.00} s");
        // The in-flight submit's reply never comes (its silo is gone): observed, not awaited, since awaiting it only
        // waited out the client's 30 s response timeout before the part of the test that matters.
        _ = inFlight.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        // Y, submitted once the partition answers again, proves below that B's lease calls reached the new activation
        // after its hold-back: the hold-back holds all dispatch, so a B that gets Y was free to get X too.
        var y = await SubmitOnceAnsweredAsync(partition, submission, run);

        // Invariant 3: the new activation does not lease X to anyone else while A holds it.
        var b = new List<LeasedTask>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20) && !b.Exists(t => t.Id.Sequence == y.Sequence || t.Id.Sequence == x.Sequence))
        {
            try
            {
                // Bounded, so that one call stuck at the dead silo cannot use up the loop (a call held by the live
                // partition answers within its 1 s wait).
                b.AddRange(await partition.LeaseAsync("worker-b", 0, 10, TimeSpan.FromSeconds(1), null).WaitAsync(TimeSpan.FromSeconds(5)));
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                output.WriteLine($"B at {run.Elapsed.TotalSeconds:0.00} s: {ex.GetType().Name}");
                await Task.Delay(200);
            }
        }
        await stopRenewing.CancelAsync();
        await renewing;
        output.WriteLine($"A got: {a[0].Id.Sequence}#{a[0].Lease.Attempt}@{a[0].Lease.Epoch}; X is {x.Sequence}, Y is {y.Sequence}");
        output.WriteLine($"B got by {run.Elapsed.TotalSeconds:0.00} s: {string.Join(", ", b.Select(t => $"{t.Id.Sequence}#{t.Attempt}@{t.Lease.Epoch}"))}");
        output.WriteLine("A's renewals (sent+took): " + string.Join("; ", renewals));
        output.WriteLine("The partition's log:" + Environment.NewLine + string.Join(Environment.NewLine, log.Errors));

        Assert.DoesNotContain(b, t => t.Id.Sequence == x.Sequence);
        Assert.Contains(b, t => t.Id.Sequence == y.Sequence);
        Assert.True(Volatile.Read(ref answeredAfterKill) > 0, "no renewal of A's reached the new activation");
        // A's outcome is accepted, and X ran once (read once membership has settled after the kill: the directory may
        // briefly route a call to a second activation while it recovers the dead silo's share).
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        await partition.CompleteAsync("worker-a", [new TaskCompletion(a[0].Lease, new TaskOutcome.Succeeded("1"u8.ToArray()))]);
        TaskInfo? done = null;
        for (var i = 0; i < 50 && done?.State != TaskState.Succeeded; i++)
        {
            if (i > 0) await Task.Delay(200);
            done = await partition.GetTaskAsync(x.Sequence);
        }
        output.WriteLine($"X: {done?.State} after {done?.Attempts} attempts; the partition's log since:");
        output.WriteLine(string.Join(Environment.NewLine, log.Errors));
        // Read this late, after every renewal sent before the stop has long answered or failed.
        Assert.Equal(0, Volatile.Read(ref lostByA));
        Assert.Equal(TaskState.Succeeded, done!.State);
        Assert.Equal(1, done.Attempts);
    }

    [Fact]
    public async Task ALeaseCallOnAPartitionNoSiloServes_IsRefusedLikeASubmit_AndLeavesNoKeyInRedis()
    {
        var serviceId = Guid.NewGuid().ToString("N");
        var log = new ErrorLog();
        await using var cluster = await StartAsync("atk-stray", log, serviceId: serviceId);
        // Partition 7 of a queue with one partition per queue (SubmitAsync refuses it, naming "Partition"), and a queue nobody uses.
        var stray = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey("atk-stray", 7));
        var unused = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey("atk-nobody-" + Guid.NewGuid().ToString("N")[..8], 0));

        var strayLease = await Record.ExceptionAsync(() => stray.LeaseAsync("anyone", 0, 1, TimeSpan.Zero, null));
        await unused.LeaseAsync("anyone", 0, 1, TimeSpan.Zero, null);
        // (atk-stray:0 is served by this cluster's worker loop, whose lease calls write its head by design: not counted.)
        var heads = fixture.Redis.Server.Keys(pattern: $"{serviceId}/state/*atk-*/head").Select(k => k.ToString())
            .Where(k => k.Contains("atk-stray:7", StringComparison.Ordinal) || k.Contains("atk-nobody-", StringComparison.Ordinal)).ToList();
        output.WriteLine(string.Join(Environment.NewLine, heads));

        // The lease call writes a head (its epoch) for any partition key it is given, and heads are never deleted:
        // any caller can grow Redis without bound, one key per made-up queue name (the JSON API only reads).
        Assert.IsType<InvalidTaskException>(strayLease);
        Assert.Empty(heads);
    }

    /// <summary>Submits once the partition answers again after its silo died (a call may be stuck at the dead silo).</summary>
    private async Task<TaskId> SubmitOnceAnsweredAsync(ITaskQueueGrain partition, TaskSubmission submission, Stopwatch run)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return (await partition.SubmitAsync([submission]).WaitAsync(TimeSpan.FromSeconds(5))).Single();
            }
            catch (Exception ex) when (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                output.WriteLine($"Y at {run.Elapsed.TotalSeconds:0.00} s: {ex.GetType().Name}");
                await Task.Delay(200);
            }
        }
    }

    private List<RedisKey> Keys(string serviceId, string stateName) =>
        fixture.Redis.Server.Keys(pattern: $"{serviceId}/state/*/{stateName}").ToList();

    /// <summary>Collects the queue partitions' log at <paramref name="minimum"/> and above (errors unless told).</summary>
    public sealed class ErrorLog(LogLevel minimum = LogLevel.Error) : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly LogLevel _minimum = minimum;

        public IReadOnlyList<string> Errors => [.. _errors];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= log._minimum;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel < log._minimum || !category.Contains("TaskQueueGrain", StringComparison.Ordinal)) return;
                log._errors.Enqueue($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {formatter(state, exception)} | {exception?.GetType().Name}: {exception?.Message}");
            }
        }
    }
}
