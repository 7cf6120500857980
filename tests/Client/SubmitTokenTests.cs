namespace DistributedTaskQueue.Tests.Client;

/// <summary>
/// The tokens a client gives its submits (so a retry of a call never makes a second task). They come from a per-thread
/// generator rather than <see cref="Guid.NewGuid"/> (a system call each), so what must still hold is pinned here.
/// </summary>
public sealed class SubmitTokenTests
{
    private static TaskSubmission Item(string? key = null) => new() { TaskName = "t", Payload = "{}"u8.ToArray(), IdempotencyKey = key };

    [Fact]
    public void ABatch_SharesOneCall_WithEachItemsIndex_AndKeyedItemsGetNone()
    {
        var batch = TaskClient.Tokened([Item(), Item("k"), Item()]);

        Assert.NotNull(batch[0].Token);
        Assert.Null(batch[1].Token);
        Assert.Equal(batch[0].Token!.Value.Call, batch[2].Token!.Value.Call);
        Assert.Equal(0, batch[0].Token!.Value.Index);
        Assert.Equal(2, batch[2].Token!.Value.Index);
        Assert.NotEqual(Guid.Empty, batch[0].Token!.Value.Call);
    }

    [Fact]
    public async Task Calls_FromManyThreadsAtOnce_NeverShareACall()
    {
        const int threads = 8, perThread = 25_000;
        var calls = await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(() =>
            Enumerable.Range(0, perThread).Select(_ => TaskClient.Tokened([Item()])[0].Token!.Value.Call).ToArray())));

        var all = calls.SelectMany(c => c).ToArray();
        Assert.Equal(threads * perThread, all.Distinct().Count());
    }
}
