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
    public void Calls_FromManyThreadsAtOnce_NeverShareACall()
    {
        // Dedicated threads released together: pool tasks this short may all run on one thread, which would hide a
        // generator shared unsafely between threads or seeded alike on each.
        const int threads = 8, perThread = 25_000;
        var calls = new Guid[threads][];
        var ids = new int[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            ids[t] = Environment.CurrentManagedThreadId;
            start.SignalAndWait();
            calls[t] = Enumerable.Range(0, perThread).Select(_ => TaskClient.Tokened([Item()])[0].Token!.Value.Call).ToArray();
        })).ToArray();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();

        Assert.Equal(threads, ids.Distinct().Count());
        Assert.Equal(threads * perThread, calls.SelectMany(c => c).Distinct().Count());
    }
}
