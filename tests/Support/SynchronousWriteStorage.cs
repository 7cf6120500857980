using System.Collections.Concurrent;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// An ETag-checking in-memory grain storage whose writes often complete before they are awaited, as Redis
/// writes do on a busy machine, and which counts any write to a key while another write to it is in flight.
/// </summary>
public sealed class SynchronousWriteStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<string, (string ETag, object? State)> _data = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly Random _random = new(42);
    private int _overlaps;
    private int _conflicts;
    private int _writes;
    private int _synchronousWrites;

    public int Writes => Volatile.Read(ref _writes);

    public int SynchronousWrites => Volatile.Read(ref _synchronousWrites);

    public int Overlaps => Volatile.Read(ref _overlaps);

    public int Conflicts => Volatile.Read(ref _conflicts);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_data.TryGetValue(Key(stateName, grainId), out var stored))
        {
            grainState.State = (T)stored.State!;
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        if (_inFlight.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref _overlaps);
        bool synchronous;
        lock (_random) synchronous = _random.Next(2) == 0;
        Interlocked.Increment(ref _writes);
        if (synchronous) Interlocked.Increment(ref _synchronousWrites);
        return synchronous ? Task.FromResult(Apply()) : ApplyLaterAsync();

        async Task ApplyLaterAsync()
        {
            await Task.Delay(2);
            Apply();
        }

        bool Apply()
        {
            try
            {
                var current = _data.TryGetValue(key, out var stored) ? stored.ETag : null;
                if (current != grainState.ETag)
                {
                    Interlocked.Increment(ref _conflicts);
                    throw new InconsistentStateException($"Version conflict on {key}", current ?? "", grainState.ETag ?? "");
                }
                var etag = Guid.NewGuid().ToString("N");
                _data[key] = (etag, grainState.State);
                grainState.ETag = etag;
                grainState.RecordExists = true;
                return true;
            }
            finally
            {
                _inFlight.AddOrUpdate(key, 0, (_, n) => n - 1);
            }
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _data.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => $"{grainId}/{stateName}";
}
