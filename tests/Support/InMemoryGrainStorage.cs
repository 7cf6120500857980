using System.Collections.Concurrent;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A grain storage in a dictionary, for unit tests of classes that read and write through one (never for a claim
/// about Redis): ETags checked as the Redis provider checks them, reads counted per state name, and a read can be
/// held until the test lets it go.
/// </summary>
internal sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<string, (object State, string ETag)> _states = new();
    private readonly ConcurrentDictionary<string, int> _reads = new();
    private TaskCompletionSource? _heldReads;
    private ConcurrentQueue<(string StateName, TaskCompletionSource Release)>? _eachHeld;
    private long _version;

    public int ReadsOf(string stateName) => _reads.GetValueOrDefault(stateName);

    /// <summary>Every read from now on waits until the returned source is completed.</summary>
    public TaskCompletionSource HoldReads() => _heldReads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Every read from now on waits until the test releases it alone (<see cref="TakeHeldReads"/>). A release runs
    /// what follows the read on the releasing thread (no asynchronous continuations), so a test can interleave other
    /// work between two reads landing, as another grain turn would.
    /// </summary>
    public void HoldEachRead() => _eachHeld = new();

    /// <summary>The reads held since the last call, in the order they were made: a state name and what releases it.</summary>
    public List<(string StateName, TaskCompletionSource Release)> TakeHeldReads()
    {
        var held = new List<(string, TaskCompletionSource)>();
        while (_eachHeld?.TryDequeue(out var read) == true) held.Add(read);
        return held;
    }

    /// <summary>Removes a state behind the writer's back (a key lost from Redis).</summary>
    public void Forget(string stateName) => _states.TryRemove(stateName, out _);

    /// <summary>Replaces a state's value behind the writer's back (bytes that no longer decode).</summary>
    public void Corrupt<T>(string stateName, T state) where T : class => _states[stateName] = (state, "corrupt");

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _reads.AddOrUpdate(stateName, 1, (_, n) => n + 1);
        if (_heldReads is { } held) await held.Task;
        if (_eachHeld is { } each)
        {
            var release = new TaskCompletionSource();
            each.Enqueue((stateName, release));
            await release.Task;
        }
        if (_states.TryGetValue(stateName, out var stored))
        {
            grainState.State = (T)stored.State;
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var current = _states.TryGetValue(stateName, out var stored) ? stored.ETag : null;
        if (current != grainState.ETag) throw new InconsistentStateException($"ETag mismatch on {stateName}", current, grainState.ETag);
        grainState.ETag = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        _states[stateName] = (grainState.State!, grainState.ETag);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _states.TryRemove(stateName, out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
