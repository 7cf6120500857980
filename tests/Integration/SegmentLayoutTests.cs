using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>Invariant 5: task records live in bounded segments, so no Redis write grows with the number of pending tasks.</summary>
[Collection(RedisGroup.Name)]
public sealed class SegmentLayoutTests(RedisFixture fixture)
{
    [Fact]
    public async Task PendingTasks_AreStoredInBoundedSegments_AndTheHeadDoesNotGrow()
    {
        const string queue = "layout";
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId);
        var payload = new string('p', 100);
        await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 100).Select(i => new RecordTask(payload)), queue);
        var headWhenSmall = await HeadSize(serviceId);

        for (var i = 0; i < 25; i++)
            await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 100).Select(_ => new RecordTask(payload)), queue);

        var segments = await SegmentSizes(serviceId);
        Assert.Equal((2600 + TaskSegment.Capacity - 1) / TaskSegment.Capacity, segments.Count);
        // Full segments differ by a few bytes (varint sequence numbers, timestamps); none is more than 2% over the first.
        var full = segments[0];
        Assert.All(segments, size => Assert.InRange(size, 1, full * 102 / 100));
        // One full segment of 100-byte payloads: about Capacity × (payload + record fields), nowhere near the queue's size.
        Assert.InRange(full, TaskSegment.Capacity * 100, TaskSegment.Capacity * 300);
        Assert.InRange(await HeadSize(serviceId), 1, headWhenSmall + 8);
        Assert.Equal(2600, (await cluster.Client.GetQueueStatsAsync(queue)).Pending);
    }

    [Fact]
    public async Task StoredKeys_KeepTheirPinnedNames_WhateverTheClassesAreCalled()
    {
        const string queue = "pinned";
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId);

        var id = await cluster.Client.SubmitAsync(new RecordTask("p"), queue);

        // The grain type, the key layout and the state names are stored data: changing any strands every queue. (The
        // braces, a Redis Cluster hash tag for the flush script, came with issue 13, before any release.)
        var db = fixture.Redis.Connection.GetDatabase();
        Assert.True(await db.KeyExistsAsync($"{serviceId}/state/{{taskqueue/{queue}:0}}/head"));
        Assert.True(await db.KeyExistsAsync($"{serviceId}/state/{{taskqueue/{queue}:0}}/seg-{TaskSegment.NumberOf(id.Sequence)}"));
        Assert.Equal("taskqueue", TaskQueueGrain.GrainTypeName);
        Assert.Equal("dtq", TaskQueueGrain.StorageName);
    }

    private async Task<long> HeadSize(string serviceId) =>
        (long)await fixture.Redis.Connection.GetDatabase().HashStringLengthAsync(Keys(serviceId, "head").Single(), "data");

    private async Task<List<long>> SegmentSizes(string serviceId)
    {
        var db = fixture.Redis.Connection.GetDatabase();
        var keys = Keys(serviceId, "seg-*").OrderBy(k => long.Parse(k.ToString()[(k.ToString().LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var sizes = new List<long>();
        foreach (var key in keys) sizes.Add(await db.HashStringLengthAsync(key, "data"));
        return sizes;
    }

    private List<RedisKey> Keys(string serviceId, string stateName) =>
        fixture.Redis.Server.Keys(pattern: $"{serviceId}/state/*/{stateName}").ToList();
}
