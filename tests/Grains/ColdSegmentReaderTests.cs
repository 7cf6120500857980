using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// Cold-segment reads alone: a partition whose far segments left memory, over a grain storage in a dictionary
/// (the claim is about the reader's bookkeeping, not about Redis; the Redis path is <c>ResidencyTests</c>).
/// </summary>
public sealed class ColdSegmentReaderTests : IDisposable
{
    private const int Segment = TaskSegment.Capacity;
    private const int Window = QueuePartition.PrefetchSegments;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().AddMetrics().BuildServiceProvider();
    private readonly InMemoryGrainStorage _storage = new();
    private readonly QueuePartition _partition = new("q", 0, new PartitionOptions(), new RetryPolicy { MaxRetries = 0 }, () => 0.5);
    private readonly PartitionStore _store;
    private readonly ColdSegmentReader _reader;
    private int _warmed;
    private int _lost;

    public ColdSegmentReaderTests()
    {
        _store = new PartitionStore(_storage, null, _services.GetRequiredService<Serializer>(), GrainId.Create("taskqueue", "q:0"));
        _reader = new ColdSegmentReader(_partition, _store, new PartitionMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            _time, "q", "q:0", () => _warmed++, () => _lost++, NullLogger.Instance);
    }

    public void Dispose() => _services.Dispose();

    /// <summary>Fills Window + 4 segments, writes them, and evicts the 4 farthest: returns the first cold sequence.</summary>
    private async Task<long> FillAndEvictAsync()
    {
        for (var i = 0; i < (Window + 4) * Segment; i++)
            _partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }, _time.GetUtcNow());
        _partition.CommitStaged(_partition.TakeStaged());
        await _store.WriteAsync(_partition.Head, _partition.TakeDirty());
        _partition.Settle();
        Assert.Equal(4, _partition.Evict(maxResidentRecords: Window * Segment));
        var firstCold = (long)Window * Segment;
        Assert.True(_partition.IsCold(firstCold));
        return firstCold;
    }

    [Fact]
    public async Task TwoCallersNeedingOneColdSegment_ShareOneRead_AndBothSeeItsTasks()
    {
        var sequence = await FillAndEvictAsync();
        var held = _storage.HoldReads();
        var first = _reader.WarmAsync([sequence]);
        var second = _reader.WarmAsync([sequence + 1]);
        Assert.False(first.IsCompleted);
        held.SetResult();
        await Task.WhenAll(first, second);

        Assert.Equal(1, _storage.ReadsOf($"seg-{Window}"));
        Assert.False(_partition.IsCold(sequence));
        Assert.Equal(TaskState.Pending, _partition.GetInfo(sequence + 1)?.State);
        Assert.Equal(0, _lost);
    }

    [Fact]
    public async Task ASegmentReadBackForACaller_SurvivesEvictionsUntilTheCallerUnpinsIt()
    {
        var sequence = await FillAndEvictAsync();
        var segment = sequence / Segment;
        _partition.Pin([segment]);
        await _reader.WarmAsync([sequence]);
        Assert.False(_partition.IsCold(sequence));

        // A write landing now would evict this far, wholly waiting segment first; pinned, it stays.
        _partition.Evict(maxResidentRecords: Segment);
        Assert.False(_partition.IsCold(sequence));

        _partition.Unpin([segment]);
        Assert.True(_partition.Evict(maxResidentRecords: Segment) > 0);
        Assert.True(_partition.IsCold(sequence));
    }

    [Fact]
    public Task ACallNeedingColdAndWarmSegments_KeepsThemAll_ThoughAWriteEvictsBeforeEachReadLands() =>
        // On the thread pool, with no synchronization context: a held read's release then runs the reader's
        // continuations on this thread, and the evictions below land between two reads, as another turn's write would.
        Task.Run(async () =>
        {
            var cold = await FillAndEvictAsync();
            // Segments Window+1.. are back in memory but far from the front: the first an eviction drops. Window stays cold.
            await _reader.WarmAsync([cold + Segment, cold + (2 * Segment), cold + (3 * Segment)]);
            long[] needed = [cold, cold + Segment, cold + (2 * Segment), cold + (3 * Segment)];
            _storage.HoldEachRead();

            var call = _reader.WarmAsync(needed);
            // What the call needs must stay in memory, whether it was cold or warm when the call began.
            EvictBeforeEachHeldReadLands(call);

            await call;
            Assert.All(needed, sequence => Assert.False(_partition.IsCold(sequence)));
            Assert.Equal(0, _lost);
        });

    [Fact]
    public Task AListingReachingColdAndWarmSegments_KeepsThemAll_ThoughAWriteEvictsBeforeEachReadLands() =>
        // As above, for a listing: it walks the segments, reads back the cold ones it reached, and walks again.
        Task.Run(async () =>
        {
            var cold = await FillAndEvictAsync();
            await _reader.WarmAsync([cold + Segment, cold + (2 * Segment), cold + (3 * Segment)]);
            const int All = (Window + 4) * Segment;
            _storage.HoldEachRead();

            var call = _reader.ListAsync(TaskState.Pending, All, maxRounds: 16);
            EvictBeforeEachHeldReadLands(call);

            var page = await call;
            Assert.Equal(All, page.Count);
            Assert.Equal(All, page.Select(task => task.Id.Sequence).Distinct().Count());
            // The pins went with the call: the next eviction may drop those segments again.
            Assert.True(_partition.Evict(maxResidentRecords: Segment) > 0);
            Assert.Equal(0, _lost);
        });

    /// <summary>
    /// A busy partition while <paramref name="call"/> runs: a write lands (evicting past the budget) before each of
    /// the call's held reads does.
    /// </summary>
    private void EvictBeforeEachHeldReadLands(Task call)
    {
        while (!call.IsCompleted)
        {
            var held = _storage.TakeHeldReads();
            Assert.NotEmpty(held);
            foreach (var (_, release) in held)
            {
                _partition.Evict(maxResidentRecords: Segment);
                release.SetResult();
            }
        }
    }

    [Fact]
    public async Task WarmAsync_ReleasesItsPins_SoTheSegmentsItReadMayLeaveMemoryAgain()
    {
        var sequence = await FillAndEvictAsync();
        await _reader.WarmAsync([sequence]);
        Assert.False(_partition.IsCold(sequence));
        _partition.Evict(maxResidentRecords: Segment);
        Assert.True(_partition.IsCold(sequence));
    }

    [Fact]
    public async Task WarmAsync_ReadsNothing_ForSequencesAlreadyInMemory()
    {
        await FillAndEvictAsync();
        await _reader.WarmAsync([0, Segment + 1]);
        Assert.Equal(0, _storage.ReadsOf("seg-0") + _storage.ReadsOf("seg-1"));
    }

    [Fact]
    public async Task ASegmentRedisNoLongerHas_IsReportedLost_AndForgotten_SoItNeverBlocksItsPriority()
    {
        var sequence = await FillAndEvictAsync();
        _storage.Forget($"seg-{Window}");

        await _reader.WarmAsync([sequence]);

        Assert.Equal(1, _lost);
        Assert.False(_partition.IsCold(sequence));
        Assert.Null(_partition.GetInfo(sequence));
        Assert.True(_partition.IsCold(sequence + Segment)); // the next cold segment is untouched
    }

    [Fact]
    public async Task ASegmentWhoseBytesNoLongerDecode_IsReportedLostLikeAMissingOne()
    {
        var sequence = await FillAndEvictAsync();
        _storage.Corrupt($"seg-{Window}", new StoredBlob { Data = [1, 2, 3] });

        await _reader.WarmAsync([sequence]);

        Assert.Equal(1, _lost);
        Assert.Null(_partition.GetInfo(sequence));
    }

    [Fact]
    public async Task Prefetch_ReadsTheColdSegmentsLeasingWillReachSoon_AndTellsTheOwner()
    {
        await FillAndEvictAsync();
        // Lease the whole resident window: the front reaches the first cold segment.
        _partition.Lease("w", 1, Window * Segment, _time.GetUtcNow());

        _reader.Prefetch();
        await WaitUntilAsync(() => _warmed > 0);

        Assert.Equal(1, _storage.ReadsOf($"seg-{Window}"));
        Assert.False(_partition.IsCold(Window * Segment));
    }

    // Reads complete synchronously here unless held; this only yields until the continuation ran.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Yield();
        Assert.True(condition());
    }
}
