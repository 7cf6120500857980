using System.Collections.Concurrent;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Wraps a grain storage (Redis, in the tests that make storage claims) so a test can lose chosen writes, as a
/// process killed mid-flush or a Redis that refuses them would, and hold chosen reads until it lets them go.
/// A lost write or delete never reaches the inner storage and fails its caller.
/// </summary>
public sealed class FaultInjectingStorage(IGrainStorage inner) : IGrainStorage
{
    private readonly ConcurrentDictionary<string, byte> _lost = new();
    private readonly ConcurrentDictionary<string, (TaskCompletionSource Started, TaskCompletionSource Release)> _held = new();

    /// <summary>From now on, writes and deletes of these state names (<c>head</c>, <c>seg-N</c>) are lost.</summary>
    public void Lose(params string[] stateNames)
    {
        foreach (var name in stateNames) _lost[name] = 0;
    }

    /// <summary>Writes and deletes reach storage again.</summary>
    public void LoseNothing() => _lost.Clear();

    /// <summary>Whether writes of this state name are lost now (a <see cref="FaultInjectingFlush"/> asks too).</summary>
    public bool IsLost(string stateName) => _lost.ContainsKey(stateName);

    /// <summary>
    /// Holds the next read of <paramref name="stateName"/> until the returned release is completed; <c>Started</c>
    /// completes when that read arrives.
    /// </summary>
    public (Task Started, TaskCompletionSource Release) HoldNextRead(string stateName)
    {
        var gate = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _held[stateName] = gate;
        return (gate.Item1.Task, gate.Item2);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_held.TryRemove(stateName, out var gate))
        {
            gate.Started.TrySetResult();
            await gate.Release.Task;
        }
        await inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _lost.ContainsKey(stateName) ? Lost(stateName) : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _lost.ContainsKey(stateName) ? Lost(stateName) : inner.ClearStateAsync(stateName, grainId, grainState);

    private static Task Lost(string stateName) => Task.FromException(new IOException($"The write of {stateName} was lost (test fault)."));
}
