using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// The group commit never has two writes of one record in flight, even when a flush's writes all finish
/// before they are awaited (which once let a second write loop start and fail on its own ETags under load).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class GroupCommitStorageTests(RedisFixture fixture)
{
    [Fact]
    public async Task Writes_NeverOverlap_WhenStorageCompletesSomeWritesSynchronously()
    {
        const string queue = "gc-sync";
        var storage = new SynchronousWriteStorage();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], concurrency: 8, configure: (_, settings) =>
        {
            settings.Options.RedisConnectionString = null; // in-memory mode, then our storage replaces the provider
        }, services: services => services.AddKeyedSingleton<IGrainStorage>(TaskQueueGrain.StorageName, storage));

        // Round trips one at a time: each submit starts a new write loop while the idle worker's lease is parked,
        // so the flush that commits it also hands the task over and asks for another write from inside the loop.
        for (var i = 0; i < 200; i++)
            await cluster.Client.WaitForResultAsync<string>(await cluster.Client.SubmitAsync(new RecordTask($"r{i}"), queue), TimeSpan.FromSeconds(30));
        // Then a burst, so writes also pile up behind each other.
        using var inFlight = new SemaphoreSlim(64);
        var submits = Enumerable.Range(0, 3000).Select(async i =>
        {
            await inFlight.WaitAsync();
            try
            {
                return await cluster.Client.SubmitAsync(new RecordTask($"s{i}"), queue);
            }
            finally
            {
                inFlight.Release();
            }
        });
        var ids = await Task.WhenAll(submits);
        foreach (var id in ids) await cluster.Client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(60));

        Assert.True(storage.SynchronousWrites > 100, $"only {storage.SynchronousWrites} of {storage.Writes} writes went through the test storage synchronously");
        Assert.Equal(0, storage.Overlaps);
        Assert.Equal(0, storage.Conflicts);
        Assert.Equal(3200, (await cluster.Client.GetQueueStatsAsync(queue)).Succeeded);
    }
}
