using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// The partition flush script (<see cref="PartitionFlushScript"/>) on a real Redis: it writes exactly what Orleans' Redis
/// grain storage reads, a stale ETag anywhere in a flush changes nothing, a flush of segments, pages and deletes lands
/// whole or not at all, and a server that lost its scripts is given the script again.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PartitionFlushScriptTests(RedisFixture fixture)
{
    private IDatabase Db => fixture.Redis.Connection.GetDatabase();

    [Fact]
    public async Task WhatTheScriptWrites_TheGrainStorageReads_AndTheScriptTakesTheStoragesETags()
    {
        await using var cluster = await StartAsync();
        var (flush, storage, grainId) = Parts(cluster, "fs-format");
        var head = new GrainState<StoredBlob>();
        var segment = new GrainState<StoredBlob>();
        await flush.WriteAsync(grainId, [new("head", head, [1, 2, 3]), new("seg-0", segment, [4, 5])]);

        // A hash of exactly etag and data, under the service's state prefix, the grain id as a hash tag and the state name.
        var fields = await Db.HashGetAllAsync($"{cluster.Cluster.Options.ServiceId}/state/{{taskqueue/fs-format:0}}/head");
        Assert.Equal(["data", "etag"], fields.Select(f => f.Name.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(head.ETag, fields.Single(f => f.Name == "etag").Value.ToString());
        Assert.True(head.RecordExists);

        var read = new GrainState<StoredBlob>();
        await storage.ReadStateAsync("seg-0", grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal(segment.ETag, read.ETag);
        Assert.Equal([4, 5], read.State!.Data);

        // The storage accepts the script's ETag, and the script the storage's.
        read.State = new StoredBlob { Data = [6] };
        await storage.WriteStateAsync("seg-0", grainId, read);
        await flush.WriteAsync(grainId, [new("seg-0", read, [7])]);
        var again = new GrainState<StoredBlob>();
        await storage.ReadStateAsync("seg-0", grainId, again);
        Assert.Equal([7], again.State!.Data);
        Assert.Equal(read.ETag, again.ETag);
    }

    [Fact]
    public async Task EveryStateOfAPartition_SharesOneHashTag()
    {
        await using var cluster = await StartAsync();
        var (flush, _, grainId) = Parts(cluster, "fs-slot");
        await flush.WriteAsync(grainId, [new("head", new GrainState<StoredBlob>(), [1]), new("seg-0", new GrainState<StoredBlob>(), [2]), new("gone-0", new GrainState<StoredBlob>(), [3])]);

        // Redis Cluster hashes the text between a key's first '{' and the next '}': one tag, one slot, one script.
        var keys = Keys(cluster).Select(k => k.ToString()).ToList();
        Assert.Equal(3, keys.Count);
        Assert.All(keys, k => Assert.Equal("taskqueue/fs-slot:0", HashTag(k)));
    }

    [Theory]
    [InlineData("head")]
    [InlineData("seg-1")]
    [InlineData("seg-2")]
    public async Task AStaleETag_AnywhereInAFlush_WritesNothingAndDeletesNothing(string stale)
    {
        await using var cluster = await StartAsync();
        var (flush, _, grainId) = Parts(cluster, "fs-stale");
        var states = new Dictionary<string, GrainState<StoredBlob>>
        {
            ["head"] = new(), ["seg-0"] = new(), ["seg-1"] = new(), ["gone-0"] = new(),
        };
        await flush.WriteAsync(grainId, [.. states.Select(s => new FlushEntry(s.Key, s.Value, [1]))]);
        // Another activation wrote the stale state since (seg-2: created it, where this one expects none).
        var other = new GrainState<StoredBlob> { ETag = states.GetValueOrDefault(stale)?.ETag };
        await flush.WriteAsync(grainId, [new(stale, other, [2])]);
        var before = await SnapshotAsync(cluster);
        var etags = states.ToDictionary(s => s.Key, s => s.Value.ETag);

        // Writes the head and segment 0, creates segment 2, deletes segment 1 and the page: all or nothing.
        states.TryAdd("seg-2", new GrainState<StoredBlob>());
        etags.TryAdd("seg-2", null);
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => flush.WriteAsync(grainId,
        [
            new("head", states["head"], [3]), new("seg-0", states["seg-0"], [3]), new("seg-2", states["seg-2"], [3]),
            new("seg-1", states["seg-1"], null), new("gone-0", states["gone-0"], null),
        ]));

        Assert.Contains($"State={stale}", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(cluster));
        Assert.Equal(etags, states.ToDictionary(s => s.Key, s => s.Value.ETag));
    }

    [Fact]
    public async Task AFlushOfSegmentsPagesAndDeletes_LandsWhole_OrNotAtAll()
    {
        await using var cluster = await StartAsync();
        var (flush, storage, grainId) = Parts(cluster, "fs-whole");
        GrainState<StoredBlob> head = new(), seg0 = new(), seg1 = new(), seg2 = new(), page0 = new(), page1 = new();
        await flush.WriteAsync(grainId, [new("head", head, [1]), new("seg-0", seg0, [1]), new("seg-1", seg1, [1]), new("gone-0", page0, [1])]);

        // Lands whole: the head and a new segment and page written, a segment and a page deleted, in one call.
        var calls = await fixture.Redis.CallsAsync("evalsha");
        await flush.WriteAsync(grainId, [new("head", head, [2]), new("seg-2", seg2, [2]), new("gone-1", page1, [2]), new("seg-0", seg0, null), new("gone-0", page0, null)]);
        Assert.Equal(1, await fixture.Redis.CallsAsync("evalsha") - calls);
        Assert.Equal(["gone-1", "head", "seg-1", "seg-2"], Keys(cluster).Select(StateName).Order(StringComparer.Ordinal));
        Assert.All([head, seg2, page1], s => Assert.Equal(head.ETag, s.ETag));
        Assert.All([seg0, page0], s => Assert.False(s.RecordExists || s.ETag is not null));
        var read = new GrainState<StoredBlob>();
        await storage.ReadStateAsync("gone-1", grainId, read);
        Assert.Equal([2], read.State!.Data);

        // Or not at all: a key the script cannot read as a hash (put there by hand) fails the flush in its checks, which
        // come before any write, although it is the flush's last key.
        await Db.StringSetAsync($"{cluster.Cluster.Options.ServiceId}/state/{{taskqueue/fs-whole:0}}/seg-9", "not a hash");
        var before = await SnapshotAsync(cluster);
        await Assert.ThrowsAsync<Orleans.Persistence.Redis.RedisStorageException>(() => flush.WriteAsync(grainId,
            [new("head", head, [3]), new("seg-1", seg1, null), new("seg-3", new GrainState<StoredBlob>(), [3]), new("seg-9", new GrainState<StoredBlob>(), [3])]));
        Assert.Equal(before, await SnapshotAsync(cluster));
    }

    [Fact]
    public async Task AServerThatLostItsScripts_IsGivenTheScriptAgain()
    {
        await using var cluster = await StartAsync();
        var (flush, storage, grainId) = Parts(cluster, "fs-noscript");
        var head = new GrainState<StoredBlob>();
        await flush.WriteAsync(grainId, [new("head", head, [1])]);
        Assert.True(await fixture.Redis.Server.ScriptExistsAsync(PartitionFlushScript.Source));

        await fixture.Redis.Server.ScriptFlushAsync();
        Assert.False(await fixture.Redis.Server.ScriptExistsAsync(PartitionFlushScript.Source));
        var loads = await fixture.Redis.CallsAsync("script|load");
        await flush.WriteAsync(grainId, [new("head", head, [2])]);

        // Loaded again (SCRIPT LOAD, after the EVALSHA that met NOSCRIPT), not sent as EVAL.
        Assert.Equal(1, await fixture.Redis.CallsAsync("script|load") - loads);
        Assert.True(await fixture.Redis.Server.ScriptExistsAsync(PartitionFlushScript.Source));
        var read = new GrainState<StoredBlob>();
        await storage.ReadStateAsync("head", grainId, read);
        Assert.Equal([2], read.State!.Data);
        Assert.Equal(head.ETag, read.ETag);
    }

    [Fact]
    public async Task APartitionsFlush_IsOneRedisCall()
    {
        const string queue = "fs-calls";
        await using var cluster = await StartAsync();
        await cluster.Client.SubmitAsync(new RecordTask("first"), queue); // activation, and its first write
        var calls = await fixture.Redis.CallsAsync("evalsha");

        // No worker serves the queue: each submit is one flush (the head and the tail segment).
        for (var i = 0; i < 20; i++) await cluster.Client.SubmitAsync(new RecordTask($"t{i}"), queue);

        Assert.Equal(20, await fixture.Redis.CallsAsync("evalsha") - calls);
    }

    private Task<TaskQueueCluster> StartAsync() =>
        TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);

    private static (IPartitionFlush Flush, IGrainStorage Storage, GrainId GrainId) Parts(TaskQueueCluster cluster, string queue)
    {
        var services = cluster.Cluster.Silos[0].ServiceProvider;
        return (services.GetRequiredService<IPartitionFlush>(), services.GetRequiredKeyedService<IGrainStorage>(TaskQueueGrain.StorageName),
            GrainId.Create(TaskQueueGrain.GrainTypeName, QueueNames.PartitionKey(queue, 0)));
    }

    private List<RedisKey> Keys(TaskQueueCluster cluster) =>
        [.. fixture.Redis.Server.Keys(pattern: $"{cluster.Cluster.Options.ServiceId}/state/*")];

    private static string StateName(RedisKey key) => key.ToString()[(key.ToString().LastIndexOf('/') + 1)..];

    private static string HashTag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var close = key.IndexOf('}', open + 1);
        return key[(open + 1)..close];
    }

    /// <summary>Every key of the cluster's service and what it holds, as text to compare.</summary>
    private async Task<string> SnapshotAsync(TaskQueueCluster cluster)
    {
        var lines = new List<string>();
        foreach (var key in Keys(cluster))
        {
            var type = await Db.KeyTypeAsync(key);
            var value = type == RedisType.Hash
                ? string.Join(",", (await Db.HashGetAllAsync(key)).Select(f => $"{f.Name}={Convert.ToHexString((byte[])f.Value!)}").Order(StringComparer.Ordinal))
                : (string?)await Db.StringGetAsync(key);
            lines.Add($"{key} {type} {value}");
        }
        return string.Join("\n", lines.Order(StringComparer.Ordinal));
    }
}
