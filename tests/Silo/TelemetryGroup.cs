namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The telemetry tests run alone, after the parallel ones. Several silo hosts in one test process each create a
/// "DistributedTaskQueue" meter, and every host's OpenTelemetry provider listens to all of them (Microsoft.Extensions.
/// Diagnostics matches any factory-made meter by name); OpenTelemetry merges same-named instruments into one stream, so
/// a host that stops beside this one can end the stream this one reports into. Seen once in three full runs: a host
/// whose /metrics showed none of its instruments. A production process has one host.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryGroup
{
    public const string Name = "telemetry";
}
