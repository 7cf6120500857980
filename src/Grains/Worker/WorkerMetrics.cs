using System.Diagnostics.Metrics;
using DistributedTaskQueue.Telemetry;

namespace DistributedTaskQueue;

/// <summary>
/// What this silo's worker has run, as totals for the JSON API (<c>/api/worker</c>) and as instruments on
/// the <c>DistributedTaskQueue</c> meter, which OpenTelemetry (or dotnet-counters) can collect.
/// </summary>
public sealed class WorkerMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "DistributedTaskQueue";

    private readonly Meter _meter;
    private readonly PulledCounter<(string Queue, string Outcome)> _attempts;
    private readonly Histogram<double> _duration;
    private long _succeeded;
    private long _failed;
    private long _released;
    private int _running;

    /// <summary>Creates the instruments through the host's meter factory.</summary>
    public WorkerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        // Pulled at collection, like the task counters (PulledCounter says why).
        _attempts = new PulledCounter<(string Queue, string Outcome)>(_meter, "dtq.worker.attempts", "{attempt}", "Attempts this worker finished, by outcome",
            key => [new("queue", key.Queue), new("outcome", key.Outcome)]);
        _duration = _meter.CreateHistogram<double>("dtq.worker.attempt.duration", "ms", "How long attempts ran");
        _meter.CreateObservableGauge("dtq.worker.running", () => Volatile.Read(ref _running), "{task}", "Tasks running on this worker now");
    }

    /// <summary>The worker's lease identity, once it has started.</summary>
    public string? WorkerId { get; internal set; }

    /// <summary>Attempts that succeeded here.</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Attempts that failed here (retried or not).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Attempts handed back unfinished at shutdown.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <summary>Tasks running here now.</summary>
    public int Running => Volatile.Read(ref _running);

    internal void Started() => Interlocked.Increment(ref _running);

    internal void Finished(string queue, TaskOutcome outcome, TimeSpan duration)
    {
        Interlocked.Decrement(ref _running);
        var name = outcome switch
        {
            TaskOutcome.Succeeded => Count(ref _succeeded, "succeeded"),
            TaskOutcome.Released => Count(ref _released, "released"),
            _ => Count(ref _failed, "failed"),
        };
        _attempts.Add((queue, name));
        if (_duration.Enabled) _duration.Record(duration.TotalMilliseconds, new KeyValuePair<string, object?>("queue", queue));
    }

    private static string Count(ref long counter, string name)
    {
        Interlocked.Increment(ref counter);
        return name;
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
