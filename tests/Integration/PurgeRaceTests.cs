using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A purge of a backlog mostly in cold segments while workers lease and complete tasks of it and new submits arrive:
/// every acknowledged task ends Succeeded or Cancelled, a cancelled one never ran, and the purge counts what it cancelled.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PurgeRaceTests(RedisFixture fixture)
{
    [Fact]
    public async Task APurge_RacingWorkersAndSubmits_NeverRunsWhatItCancelled_AndLosesNothing()
    {
        var queue = "purge-race-" + Guid.NewGuid().ToString("N")[..6];
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], concurrency: 8,
            configure: (_, s) => s.Partitions.MaxResidentTasks = 512);
        var client = cluster.Client;
        var ids = new List<(TaskId Id, string Label)>();
        for (var batch = 0; batch < 10; batch++)
        {
            var labels = Enumerable.Range(batch * 500, 500).Select(i => $"t{i}").ToList();
            var made = await client.SubmitBatchAsync(labels.Select(l => new RecordTask(l, DelayMilliseconds: 2)), queue);
            ids.AddRange(made.Select((id, i) => (id, labels[i])));
        }

        var submits = Task.Run(async () =>
        {
            var more = new List<(TaskId, string)>();
            for (var i = 0; i < 200; i++) more.Add((await client.SubmitAsync(new RecordTask($"late{i}"), queue), $"late{i}"));
            return more;
        });
        var purged = await client.PurgeQueueAsync(queue);
        ids.AddRange(await submits);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var stats = await client.GetQueueStatsAsync(queue);
            if (stats.Pending == 0 && stats.Running == 0 && stats.Delayed == 0) break;
            await Task.Delay(200);
        }
        var ran = Executions.Of(queue).Select(e => e.Label).ToHashSet(StringComparer.Ordinal);
        var cancelled = 0;
        foreach (var (id, label) in ids)
        {
            var state = (await client.GetTaskAsync(id))?.State;
            Assert.True(state is TaskState.Succeeded or TaskState.Cancelled, $"{id} ({label}) is {state?.ToString() ?? "gone"}");
            if (state == TaskState.Cancelled)
            {
                cancelled++;
                Assert.DoesNotContain(label, ran);
            }
            else Assert.Contains(label, ran);
        }
        Assert.Equal(purged, cancelled);
        Assert.InRange(purged, 1, ids.Count - 1);
    }
}
