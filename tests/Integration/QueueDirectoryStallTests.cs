using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// The queue directory is bookkeeping for listings: a directory that does not answer (its silo dying, its storage slow)
/// must not hold up the acknowledgement of submits whose tasks are written already.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class QueueDirectoryStallTests(RedisFixture fixture)
{
    [Fact]
    public async Task ASubmit_IsAcknowledged_WhileTheQueueDirectoryDoesNotAnswer_AndTheQueueIsListedOnceItDoes()
    {
        var gate = new DirectoryGate();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], services: s => s.AddSingleton<IIncomingGrainCallFilter>(gate));
        var client = cluster.Client;

        var submit = client.SubmitAsync(new RecordTask("first"), "qdir-stalled");
        var answered = await Task.WhenAny(submit, Task.Delay(TimeSpan.FromSeconds(3))) == submit;
        // The directory was asked, and is held still.
        await ClusterProbes.Eventually(() => Task.FromResult(gate.Held == 1), TimeSpan.FromSeconds(10), "the partition asks the directory");
        gate.Release();
        var id = await submit;

        Assert.True(answered, "the submit waited for the queue directory");
        Assert.Equal(TaskState.Pending, (await client.GetTaskAsync(id))!.State);
        await ClusterProbes.Eventually(async () => (await client.ListQueuesAsync()).Any(q => q.Queue == "qdir-stalled"), TimeSpan.FromSeconds(10), "the queue is listed once the directory answers");
    }

    [Fact]
    public async Task ADirectoryThatRefusedOnce_IsToldAgainAtTheNextSubmit()
    {
        var refusal = new DirectoryRefusal();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], services: s => s.AddSingleton<IIncomingGrainCallFilter>(refusal));
        var client = cluster.Client;

        await client.SubmitAsync(new RecordTask("first"), "qdir-refused");
        await ClusterProbes.Eventually(() => Task.FromResult(refusal.Calls == 1), TimeSpan.FromSeconds(10), "the partition asks the directory");
        await Task.Delay(200); // the refusal lands before the next submit
        Assert.DoesNotContain(await client.ListQueuesAsync(), q => q.Queue == "qdir-refused");

        await client.SubmitAsync(new RecordTask("second"), "qdir-refused");
        await ClusterProbes.Eventually(async () => (await client.ListQueuesAsync()).Any(q => q.Queue == "qdir-refused"), TimeSpan.FromSeconds(10), "the queue is listed after the second submit");
        Assert.Equal(2, refusal.Calls);
    }
}
