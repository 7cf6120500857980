using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Queue depth on the <c>DistributedTaskQueue</c> meter: pending by priority, delayed, running, dead letters and the
/// age of the oldest pending task, for each partition active on this silo (tags <c>queue</c>, <c>partition</c>; sum
/// by queue across silos). Partitions publish a snapshot once a second from their own turns, so a collector reading
/// the gauges never touches a grain's state from another thread.
/// </summary>
internal sealed class QueueGauges
{
    private static readonly string[] PriorityNames = ["low", "normal", "high", "critical"];
    private readonly ConcurrentDictionary<string, PartitionGauge> _partitions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public QueueGauges(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(WorkerMetrics.MeterName);
        meter.CreateObservableGauge("dtq.queue.pending", ObservePending, "{task}", "Tasks waiting for a worker, by priority");
        meter.CreateObservableGauge("dtq.queue.delayed", () => Observe(p => p.Delayed), "{task}", "Tasks waiting for their time (delayed or retrying)");
        meter.CreateObservableGauge("dtq.queue.running", () => Observe(p => p.Running), "{task}", "Tasks leased to a worker now");
        meter.CreateObservableGauge("dtq.queue.dead_letters", () => Observe(p => p.DeadLettered), "{task}", "Dead letters kept");
        meter.CreateObservableGauge("dtq.queue.oldest_pending_age", ObserveOldest, "s", "How long the longest-waiting pending task has waited since it could run");
    }

    public void Publish(string key, PartitionGauge gauge) => _partitions[key] = gauge;

    public void Remove(string key) => _partitions.TryRemove(key, out _);

    private IEnumerable<Measurement<long>> ObservePending()
    {
        foreach (var p in _partitions.Values)
        {
            for (var priority = 0; priority < p.PendingByPriority.Count && priority < PriorityNames.Length; priority++)
                yield return new Measurement<long>(p.PendingByPriority[priority], Queue(p), Partition(p), new("priority", PriorityNames[priority]));
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<PartitionGauge, long> value) =>
        _partitions.Values.Select(p => new Measurement<long>(value(p), Queue(p), Partition(p)));

    private IEnumerable<Measurement<double>> ObserveOldest()
    {
        var now = _time.GetUtcNow();
        foreach (var p in _partitions.Values)
        {
            var age = p.OldestPendingSince is { } since && since < now ? (now - since).TotalSeconds : 0;
            yield return new Measurement<double>(age, Queue(p), Partition(p));
        }
    }

    private static KeyValuePair<string, object?> Queue(PartitionGauge p) => new("queue", p.Queue);

    private static KeyValuePair<string, object?> Partition(PartitionGauge p) => new("partition", p.Partition);
}
