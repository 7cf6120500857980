namespace DistributedTaskQueue;

/// <summary>Names of the tasks every silo of src/Silo can run, for smoke tests, benchmarks and operators.</summary>
public static class BuiltInTasks
{
    /// <summary>Returns null at once.</summary>
    public const string NoOp = "dtq.noop";

    /// <summary>Returns its payload.</summary>
    public const string Echo = "dtq.echo";

    /// <summary>Waits <c>{"milliseconds": n}</c>, then returns n: an I/O-like task.</summary>
    public const string Sleep = "dtq.sleep";
}
