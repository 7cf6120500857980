namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// Tests that read the process's whole managed heap run alone, after the parallel ones: <c>GC.GetTotalMemory</c> counts
/// every thread's live objects, so a silo starting in a parallel test between two readings is counted as ours. Seen once
/// in CI: 108 bytes a submit against 95 measured alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredGroup
{
    public const string Name = "measured";
}
