using System.Collections.Concurrent;

namespace DistributedTaskQueue.Worker;

/// <summary>
/// This silo's consumers' progress, shared by the worker (each consumer reports to its own <see cref="ConsumerProgress"/>)
/// and the readiness check, which asks which loops are stalled. Consumers register when the worker starts them.
/// </summary>
public sealed class WorkerProgress(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ConsumerProgress> _consumers = new(StringComparer.Ordinal);

    /// <summary>True once the worker started its consumers (it starts none before the host has started).</summary>
    public bool Started => !_consumers.IsEmpty;

    /// <summary>The progress a new consumer of <paramref name="partition"/> reports to (a restarted consumer replaces the old one).</summary>
    internal ConsumerProgress Register(string partition)
    {
        var progress = new ConsumerProgress(partition, time);
        _consumers[partition] = progress;
        return progress;
    }

    /// <summary>The partitions whose loops have not come back for longer than <paramref name="limit"/>, in order.</summary>
    public IReadOnlyList<string> Stalled(TimeSpan limit) =>
        _consumers.Values.Where(c => c.IsStalled(limit)).Select(c => c.Partition).Order(StringComparer.Ordinal).ToList();
}
