using System.Diagnostics;
using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A partition loads and serves whatever Redis holds: records no rule foresaw, a history of deleted segments,
/// a segment Redis lost, writes that fail under a reader, and work handed back by a stopping silo.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PartitionRecoveryTests(RedisFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private IDatabase Db => fixture.Redis.Connection.GetDatabase();

    [Fact]
    public async Task ARecordStoredWithAPriorityOutOfRange_IsDeadLetteredOnLoad_AndTheRestRun()
    {
        const string queue = "rc-corrupt";
        var serviceId = Guid.NewGuid().ToString("N");
        IReadOnlyList<TaskId> ids;
        var key = default(RedisKey);
        await using (var writer = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId))
        {
            ids = await writer.Client.SubmitBatchAsync([new RecordTask("bad"), new RecordTask("good1"), new RecordTask("good2")], queue);
            // As a bug or a future version might have written it (nothing is leased here, so nothing writes it again).
            var serializer = writer.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>();
            key = SegmentKey(serviceId, TaskSegment.NumberOf(ids[0].Sequence));
            var segment = serializer.Deserialize<TaskSegment>((byte[])(await Db.HashGetAsync(key, "data"))!)!;
            segment[ids[0].Sequence]!.Priority = (TaskPriority)7;
            await Db.HashSetAsync(key, "data", serializer.SerializeToArray(segment));
        }

        await using var reader = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId);

        Assert.Equal("good1", await reader.Client.WaitForResultAsync<string>(ids[1], Timeout));
        Assert.Equal("good2", await reader.Client.WaitForResultAsync<string>(ids[2], Timeout));
        var quarantined = await Assert.ThrowsAsync<TaskExecutionException>(() => reader.Client.WaitForResultAsync<string>(ids[0], Timeout));
        Assert.Equal("Quarantined", quarantined.Error?.Type);
        Assert.Contains("priority 7", quarantined.Error?.Message);
        var stats = await reader.Client.GetQueueStatsAsync(queue);
        Assert.Equal(2, stats.Succeeded);
        Assert.Equal(1, stats.DeadLettered);
        // The quarantine itself was written: the next load finds a plain dead letter.
        var stored = reader.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>().Deserialize<TaskSegment>((byte[])(await Db.HashGetAsync(key, "data"))!)!;
        Assert.Equal(TaskState.DeadLettered, stored[ids[0].Sequence]!.State);
        Assert.Equal(TaskPriority.Normal, stored[ids[0].Sequence]!.Priority);
    }

    [Fact]
    public async Task Activation_ReadsOnlySegmentsThatExist_NotTheHistoryRetentionDeleted()
    {
        const string queue = "rc-history";
        const int segments = 40;
        var serviceId = Guid.NewGuid().ToString("N");
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId, concurrency: 8,
            configure: (_, s) => s.Partitions.CleanupInterval = TimeSpan.FromSeconds(1)))
        {
            // One old dead letter in segment 0 keeps that segment for 7 days; everything after it expires in a second.
            var dead = await first.Client.SubmitAsync(new FailTask("kept"), queue, new TaskOptions { Retry = RetryPolicy.None });
            await Assert.ThrowsAsync<TaskExecutionException>(() => first.Client.WaitForResultAsync<string>(dead, Timeout));
            var rest = await first.Client.SubmitBatchAsync(Enumerable.Range(1, segments * TaskSegment.Capacity - 1).Select(i => new RecordTask($"h{i}")), queue,
                new TaskOptions { ResultTtl = TimeSpan.FromSeconds(1) });
            await first.Client.WaitForResultAsync<string>(rest[^1], Timeout);
            await ClusterProbes.Eventually(async () => (await first.Client.GetQueueStatsAsync(queue)).Succeeded == rest.Count, Timeout, "all succeeded");
            await ClusterProbes.Eventually(() => Task.FromResult(Keys(serviceId, "seg-*").Count == 1), Timeout, "retention deleted all but segment 0");
            await ClusterProbes.Eventually(() => Task.FromResult(Keys(serviceId, "gone-*").Count == 1), Timeout, "the tombstone page was written");
        }
        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId);
        var missesBefore = await KeyspaceMisses();

        var stats = await second.Client.GetQueueStatsAsync(queue);

        // Before tombstones, activation read every one of the 39 deleted segments (each a miss).
        var misses = await KeyspaceMisses() - missesBefore;
        output.WriteLine($"keyspace misses during activation: {misses}");
        Assert.InRange(misses, 0, 8);
        Assert.Equal(1, stats.DeadLettered);
        Assert.Equal(segments * TaskSegment.Capacity - 1, stats.Succeeded);
        Assert.Equal("kept", Assert.Single(await second.Client.ListDeadLettersAsync(queue)).LastError?.Message);
        // Sequence numbers are never reused after the deleted tail.
        var next = await second.Client.SubmitAsync(new RecordTask("next"), queue);
        Assert.True(next.Sequence >= segments * TaskSegment.Capacity, $"sequence {next.Sequence} reuses a deleted segment's number");
    }

    [Fact]
    public async Task AColdSegmentMissingFromRedis_IsReportedLost_AndDoesNotBlockTheRestOfItsPriority()
    {
        const string queue = "rc-lost";
        const int segments = 40;
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId, concurrency: 8,
            configure: (_, s) => s.Partitions.MaxResidentTasks = 256);
        await cluster.Client.PauseQueueAsync(queue);
        var ids = new List<TaskId>();
        for (var batch = 0; batch < segments / 10; batch++)
            ids.AddRange(await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 10 * TaskSegment.Capacity).Select(i => new RecordTask($"c{batch}-{i}")), queue));
        // The one-second tick evicts segments far from the dispatch front; the 26th is one of them.
        await ClusterProbes.Eventually(async () => (await cluster.Client.GetQueueStatsAsync(queue)).ResidentTasks < segments * TaskSegment.Capacity / 2, Timeout, "segments left memory");
        Assert.True(await Db.KeyDeleteAsync(SegmentKey(serviceId, TaskSegment.NumberOf(ids[25 * TaskSegment.Capacity].Sequence))));

        await cluster.Client.ResumeQueueAsync(queue);

        var lost = TaskSegment.Capacity;
        await ClusterProbes.Eventually(async () => (await cluster.Client.GetQueueStatsAsync(queue)).Succeeded == ids.Count - lost, Timeout,
            "every task but the lost segment's ran");
        var stats = await cluster.Client.GetQueueStatsAsync(queue);
        Assert.Equal(0, stats.Pending);
        Assert.Null(await cluster.Client.GetTaskAsync(ids[25 * TaskSegment.Capacity]));
        Assert.Equal("c3-0", await cluster.Client.WaitForResultAsync<string>(ids[^(10 * TaskSegment.Capacity)], Timeout));
    }

    [Fact]
    public async Task AReader_NeverSeesAResultWhoseWriteFailed_AndTheTaskCompletesOnceWritesWork()
    {
        const string queue = "rc-durable";
        // A Redis of its own: this test makes it refuse writes.
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TaskQueueCluster.StartAsync(redis, [queue], concurrency: 1, configure: (_, s) => s.Worker.HeartbeatInterval = TimeSpan.FromMilliseconds(500));
        var id = await cluster.Client.SubmitAsync(new WaitTask("slow", 1500), queue);
        await ClusterProbes.WaitForExecution(queue, 1, Timeout);
        // Reads show only written state, so this also waits for the lease mark to be durable.
        await ClusterProbes.Eventually(async () => (await cluster.Client.GetTaskAsync(id))?.State == TaskState.Running, Timeout, "the lease mark was written");
        // The completion's write hangs (writes paused), then fails (no replica to satisfy min-replicas-to-write).
        await redis.Server.ExecuteAsync("CLIENT", "PAUSE", "4000", "WRITE");
        await redis.Server.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", "1");
        var seen = new List<string>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(6))
        {
            try
            {
                seen.Add((await cluster.Client.GetTaskAsync(id))?.State.ToString() ?? "unknown");
            }
            catch (TaskQueueUnavailableException)
            {
                seen.Add("unavailable");
            }
            await Task.Delay(100);
        }
        output.WriteLine(string.Join(", ", seen.Distinct()));

        Assert.DoesNotContain(nameof(TaskState.Succeeded), seen);
        await redis.Server.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", "0");
        Assert.Equal("slow", await cluster.Client.WaitForResultAsync<string>(id, Timeout));
        // The worker's completion was retried and accepted: the task did not run again.
        Assert.Equal(1, (await cluster.Client.GetTaskAsync(id))!.Attempts);
        Assert.Single(Executions.Of(queue));
    }

    [Fact]
    public async Task ATaskHandedBackByAStoppingSilo_IsLeasedAtOnceByAParkedWorker()
    {
        const string queue = "rc-handback";
        // Long polls of 20 s: only a dispatch at the hand-back itself gets the task to the parked worker sooner.
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 2, concurrency: 1, configure: (_, s) =>
        {
            s.Worker.PollingInterval = TimeSpan.FromSeconds(20);
            s.Worker.ShutdownGracePeriod = TimeSpan.Zero;
        });
        var id = await cluster.Client.SubmitAsync(new WaitTask("handed-back", 60_000), queue);
        var first = await ClusterProbes.WaitForExecution(queue, 1, Timeout);
        var runner = ClusterProbes.SiloOf(cluster, first.WorkerId);
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(id.PartitionKey);
        var other = cluster.Cluster.Silos.Single(s => s != runner);
        // The partition must outlive the stopping silo: move it to the other one if it lives on the runner.
        if ((await ClusterProbes.OwnerSilo(cluster, id.PartitionKey)) == runner)
        {
            await cluster.Cluster.MigrateAsync(partition, other.SiloAddress);
            await partition.GetStatsAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // the other silo's worker is parked on the partition again

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.StopSiloAsync(runner);
        var second = await ClusterProbes.WaitForExecution(queue, 2, Timeout);
        output.WriteLine($"stop began to the task running again: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(other.SiloAddress.ToParsableString(), second.WorkerId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"the handed-back task waited {clock.Elapsed} for a worker");
        Assert.Equal(0, (await cluster.Client.GetQueueStatsAsync(queue)).Failed);
        Assert.True(await cluster.Client.CancelAsync(id));
    }

    private RedisKey SegmentKey(string serviceId, long number) => Keys(serviceId, $"seg-{number}").Single();

    private List<RedisKey> Keys(string serviceId, string stateName) =>
        fixture.Redis.Server.Keys(pattern: $"{serviceId}/state/*/{stateName}").ToList();

    private async Task<long> KeyspaceMisses()
    {
        var info = await fixture.Redis.Server.InfoAsync("stats");
        return long.Parse(info.SelectMany(g => g).Single(p => p.Key == "keyspace_misses").Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
