using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Readers are shown only written state (PartitionWrites.WhenWrittenAsync, GroupCommit.CurrentWrite), also when the
/// write that carries what they are shown fails while they wait for a cold segment to be read back.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class DurableReadFaultTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ADeadLetterPage_NeverShowsATaskWhoseWriteFailedWhileThePageWaitedForItsColdSegment()
    {
        const string queue = "dr-page";
        var storage = new FaultInjectingStorage(new SynchronousWriteStorage());
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) =>
        {
            s.Options.RedisConnectionString = null; // in-memory mode, then our storage replaces the provider
            s.Partitions.MaxResidentTasks = 4 * TaskSegment.Capacity; // the least allowed
        }, services: services => services.AddKeyedSingleton<IGrainStorage>(TaskQueueGrain.StorageName, storage));
        var grain = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(queue, 0));
        await grain.SubmitAsync([.. Enumerable.Range(0, 4 * TaskSegment.Capacity + 1).Select(_ => new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() })]);
        var leased = await grain.LeaseAsync("w", 1, 1000, TimeSpan.Zero, null);
        Assert.Equal(4 * TaskSegment.Capacity + 1, leased.Length);
        var origin = leased.Min(t => t.Id.Sequence); // a fresh partition's first sequence, on a segment's first slot
        var first = TaskSegment.NumberOf(origin);
        var last = leased.Single(t => t.Id.Sequence == origin + 4 * TaskSegment.Capacity);
        await grain.CompleteAsync("w", [.. leased.Where(t => t != last).Select(Failed)]);
        // The first four segments hold only dead letters; past the budget the oldest leave memory (the fifth has a running task).
        Assert.Equal(3 * TaskSegment.Capacity, (await grain.GetStatsAsync()).ResidentTasks);

        // A page of dead letters waits for the first segment to be read back...
        var (readStarted, release) = storage.HoldNextRead($"seg-{first}");
        var page = grain.ListDeadLettersAsync(-1, 1000);
        await readStarted.WaitAsync(Timeout);
        // ...while the last task fails for good, and the write that carries that is lost.
        storage.Lose($"seg-{first + 4}");
        await Assert.ThrowsAsync<TaskQueueUnavailableException>(() => grain.CompleteAsync("w", [Failed(last)]));
        release.SetResult();

        TaskInfo[] shown;
        try
        {
            shown = await page.WaitAsync(Timeout);
        }
        catch (TaskQueueUnavailableException)
        {
            shown = []; // as every other call to the broken partition is answered
        }
        Assert.False(shown.Any(t => t.Id.Sequence == last.Id.Sequence), $"the page showed task {last.Id.Sequence} as a dead letter, a state whose write failed");

        // Storage never had it: the partition's next activation has the task running, not dead-lettered.
        storage.LoseNothing();
        await ClusterProbes.Eventually(async () =>
        {
            try
            {
                return (await grain.GetTaskAsync(last.Id.Sequence))?.State == TaskState.Running;
            }
            catch (TaskQueueUnavailableException)
            {
                return false;
            }
        }, Timeout, "the reloaded partition shows the task as stored");
    }

    private static TaskCompletion Failed(LeasedTask task) =>
        new(task.Lease, new TaskOutcome.Failed(new TaskError("boom", "Boom", null, task.Attempt, TimeProvider.System.GetUtcNow()), Retryable: false));
}
