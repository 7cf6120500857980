using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A submit that cannot reach a working partition is retried until <c>TaskQueue:SubmitTimeout</c>, then fails with
/// <see cref="TaskQueueUnavailableException"/> (saying the task may have been accepted), whatever the timers do. The
/// client runs on a fake clock; the partition's storage fails every read, as an unreachable Redis does.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class SubmitDeadlineTests(RedisFixture fixture)
{
    private sealed class UnreachableStorage : IGrainStorage
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Interlocked.Increment(ref _reads);
            return Task.FromException(new IOException("Redis is unreachable (test fault)."));
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.FromException(new IOException("unreachable"));

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.FromException(new IOException("unreachable"));
    }

    [Fact]
    public async Task ARetryDelayThatOvershootsTheDeadline_EndsInTaskQueueUnavailable_NotAnArgumentError()
    {
        var storage = new UnreachableStorage();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) =>
        {
            s.Options.RedisConnectionString = null; // in-memory mode, then our storage replaces the provider
            s.Partitions.RefuseUnknownTaskNames = false;
        }, services: services => services.AddKeyedSingleton<IGrainStorage>(TaskQueueGrain.StorageName, storage));
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var client = new TaskClient(cluster.Cluster.Client, Options.Create(new TaskQueueOptions { SubmitTimeout = TimeSpan.FromSeconds(10) }), time);

        var submit = client.SubmitAsync("test.record", """{"label":"x"}""", "deadline");
        // The first attempt fails at once (the partition cannot load); the client now waits 0.1 s before the next one.
        while (storage.Reads == 0) await Task.Delay(20);
        await Task.Delay(500);
        Assert.False(submit.IsCompleted);
        // That wait ends a little after the deadline (a timer late on a busy machine; here the clock jumps past it).
        time.Advance(TimeSpan.FromSeconds(11));

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => submit.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<TaskQueueUnavailableException>(failed); // today: ArgumentOutOfRangeException from WaitAsync(negative)
    }
}
