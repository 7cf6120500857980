using System.Diagnostics;
using System.Runtime.InteropServices;
using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// Submit tokens chosen by a caller that skips our client. <see cref="SubmitToken"/>'s hash is deterministic (a Guid's
/// hash is the XOR of its four ints), so distinct tokens that all hash alike are easy to make, and the partition's token
/// memory (a dictionary, up to 1,000,000 entries a partition) turns each lookup into a walk of one chain. Idempotency keys
/// are protected from this (the ordinal string dictionary switches to randomized hashing); tokens are not.
/// </summary>
public sealed class SubmitTokenHashFloodTests
{
    private const int Count = 20_000;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Distinct Guids whose hash is 0: the first two ints equal, the last two zero.</summary>
    private static Guid Colliding(int i)
    {
        var ints = new[] { i, i, 0, 0 };
        return new Guid(MemoryMarshal.AsBytes(ints.AsSpan()));
    }

    private TimeSpan SubmitAll(Func<int, Guid> call)
    {
        var partition = new QueuePartition("q", 0, new PartitionOptions(), RetryPolicy.None, () => 0.5);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Count; i++)
            partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray(), Token = new SubmitToken(call(i), 0) }, _time.GetUtcNow());
        return watch.Elapsed;
    }

    [Fact]
    public void ABatchOfTokensThatAllHashAlike_CostsAboutWhatRandomTokensCost()
    {
        Assert.Equal(new SubmitToken(Colliding(1), 0).GetHashCode(), new SubmitToken(Colliding(2), 0).GetHashCode());
        SubmitAll(_ => Guid.NewGuid()); // warm-up
        var random = SubmitAll(_ => Guid.NewGuid());
        var colliding = SubmitAll(Colliding);

        // One grain turn runs a whole batch: quadratic work here freezes the partition (renewals, completions, submits
        // of every other client) for as long as it takes; 200,000 such tokens take minutes.
        Assert.True(colliding < random * 10 + TimeSpan.FromMilliseconds(200),
            $"{Count:N0} colliding tokens took {colliding.TotalMilliseconds:0} ms, random ones {random.TotalMilliseconds:0} ms");
    }
}
