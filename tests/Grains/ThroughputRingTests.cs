using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>The partition's throughput ring on a fake clock: buckets roll over, gaps of minutes leave no stale counts, histories merge by start.</summary>
public sealed class ThroughputRingTests
{
    // 3 s into a bucket, so a step of 10 s always lands in the next one.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 7, 10, 3, TimeSpan.Zero));
    private readonly ThroughputRing _ring = new();

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void ASnapshot_IsSixtyBucketsOfTenSeconds_AlignedToUtc_EndingWithTheCurrentOne()
    {
        var at = new DateTimeOffset(2026, 12, 4, 9, 10, 3, TimeSpan.FromHours(2)); // 07:10:03 UTC, written with an offset

        var buckets = _ring.Snapshot(at);

        Assert.Equal(60, buckets.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 7, 10, 0, TimeSpan.Zero), buckets[^1].Start);
        Assert.Equal(TimeSpan.Zero, buckets[^1].Start.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 7, 0, 10, TimeSpan.Zero), buckets[0].Start);
        Assert.All(buckets.Zip(buckets.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(10), pair.Second.Start - pair.First.Start));
        Assert.All(buckets, b => Assert.Equal((0, 0, 0), (b.Submitted, b.Succeeded, b.Failed)));
    }

    [Fact]
    public void Counts_LandInTheBucketOfTheirTime_AndRollOverToTheNext()
    {
        _ring.Submitted(Now);
        _ring.Submitted(Now);
        _ring.Succeeded(Now);
        _time.Advance(TimeSpan.FromSeconds(6)); // 07:10:09, same bucket
        _ring.Failed(Now);
        _time.Advance(TimeSpan.FromSeconds(1)); // 07:10:10, the next one
        _ring.Submitted(Now);

        var buckets = _ring.Snapshot(Now);

        Assert.Equal(new ThroughputBucket(At("07:10:00"), 2, 1, 1), buckets[^2]);
        Assert.Equal(new ThroughputBucket(At("07:10:10"), 1, 0, 0), buckets[^1]);
        Assert.Equal(3, buckets.Sum(b => b.Submitted));
    }

    [Fact]
    public void ABucketOlderThanTenMinutes_LeavesTheSnapshot_AndItsSlotStartsAtZeroWhenReused()
    {
        _ring.Submitted(Now); // bucket 07:10:00
        _time.Advance(TimeSpan.FromSeconds(590)); // 07:19:53: 07:10:00 is the oldest of 60
        Assert.Equal(new ThroughputBucket(At("07:10:00"), 1, 0, 0), _ring.Snapshot(Now)[0]);

        _time.Advance(TimeSpan.FromSeconds(10)); // 07:20:03: 07:20:00 reuses 07:10:00's slot
        Assert.DoesNotContain(_ring.Snapshot(Now), b => b.Submitted > 0);
        _ring.Succeeded(Now);

        Assert.Equal(new ThroughputBucket(At("07:20:00"), 0, 1, 0), _ring.Snapshot(Now)[^1]);
        Assert.Equal(1, _ring.Snapshot(Now).Sum(b => b.Submitted + b.Succeeded + b.Failed));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(60 * 24)]
    public void AfterAGapOfMinutes_OnlyCountsWithinTheLastTenMinutesShow(int minutes)
    {
        for (var i = 0; i < 60; i++)
        {
            _ring.Submitted(Now);
            _ring.Failed(Now);
            _time.Advance(TimeSpan.FromSeconds(10));
        }
        var lastCounted = Now - TimeSpan.FromSeconds(10);
        _time.Advance(TimeSpan.FromMinutes(minutes));
        _ring.Succeeded(Now);

        var buckets = _ring.Snapshot(Now);

        var expectedOld = Math.Max(0, 60 - (minutes * 6) - 1); // buckets of the first run still inside the window
        Assert.Equal(expectedOld, buckets.Count(b => b.Submitted == 1 && b.Failed == 1));
        Assert.All(buckets.Where(b => b.Submitted > 0), b => Assert.True(b.Start <= lastCounted && b.Start > Now - TimeSpan.FromMinutes(10)));
        Assert.Equal(new ThroughputBucket(ThroughputBucket.StartOf(Now), 0, 1, 0), buckets[^1]);
    }

    [Fact]
    public void ACountAtATimeBeforeTheHistory_IsDropped_AndTakesNothingFromNewerBuckets()
    {
        _ring.Submitted(Now);
        _ring.Submitted(Now - TimeSpan.FromMinutes(10)); // the wall clock stepped back: same slot, an older bucket

        Assert.Equal(1, _ring.Snapshot(Now)[^1].Submitted);
    }

    [Fact]
    public void TwoPartitionsHistories_ReadAMomentApart_MergeByStart_KeepingTheNewestTenMinutes()
    {
        var other = new ThroughputRing();
        _ring.Submitted(Now);
        other.Submitted(Now);
        other.Succeeded(Now);
        var first = _ring.Snapshot(Now);
        _time.Advance(TimeSpan.FromSeconds(10)); // the second partition is read one bucket later
        other.Failed(Now);
        var second = other.Snapshot(Now);
        Assert.NotEqual(first[0].Start, second[0].Start);

        var merged = ThroughputBucket.Merge(first, second);

        Assert.Equal(60, merged.Count);
        Assert.Equal(second[0].Start, merged[0].Start); // first's oldest bucket fell out of the window
        Assert.Equal(new ThroughputBucket(At("07:10:00"), 2, 1, 0), merged[^2]);
        Assert.Equal(new ThroughputBucket(At("07:10:10"), 0, 0, 1), merged[^1]);
        Assert.Equal(merged.OrderBy(b => b.Start), merged);
    }

    [Fact]
    public void QueueStatsAdd_MergesHistories_AndTakesTheEarliestOldestPending()
    {
        _ring.Succeeded(Now);
        var a = new QueueStats { Queue = "q", OldestPendingSince = null, Recent = _ring.Snapshot(Now) };
        var b = new QueueStats { Queue = "q", OldestPendingSince = At("07:05:00"), Recent = new ThroughputRing().Snapshot(Now) };
        var c = new QueueStats { Queue = "q", OldestPendingSince = At("07:08:00") };

        var sum = a.Add(b).Add(c);

        Assert.Equal(At("07:05:00"), sum.OldestPendingSince);
        Assert.Equal(At("07:05:00"), c.Add(b).OldestPendingSince);
        Assert.Null(a.Add(a).OldestPendingSince);
        Assert.Equal(60, sum.Recent.Count);
        Assert.Equal(1, sum.Recent[^1].Succeeded);
        Assert.Empty(new QueueStats { Queue = "q" }.Add(new QueueStats { Queue = "q" }).Recent);
    }

    private static DateTimeOffset At(string utcTime) =>
        DateTimeOffset.Parse($"2026-12-04T{utcTime}Z", System.Globalization.CultureInfo.InvariantCulture);
}
