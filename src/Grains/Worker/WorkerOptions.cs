namespace DistributedTaskQueue;

/// <summary>How this silo's worker takes and runs tasks (the original design's WorkerConfig). Section <c>TaskQueue:Worker</c>.</summary>
public sealed class WorkerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "TaskQueue:Worker";

    /// <summary>This worker's id in leases and logs; empty means derived from the silo's address.</summary>
    public string WorkerId { get; set; } = "";

    /// <summary>The queues this silo serves. Empty: it runs no tasks (a gateway-only silo).</summary>
    public IList<string> Queues { get; set; } = [QueueNames.Default];

    /// <summary>Tasks this silo runs at once, over all its queues.</summary>
    public int MaxConcurrentTasks { get; set; } = 8;

    /// <summary>
    /// How long one lease call waits for work before asking again. Dispatch is pushed: a task submitted
    /// to an idle worker is handed over as soon as it is written; this interval only bounds the long poll.
    /// </summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt may run when the task sets no timeout.</summary>
    public TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether failed attempts are retried by their retry policy; false dead-letters on the first failure.</summary>
    public bool AutoRetry { get; set; } = true;

    /// <summary>How often running tasks' leases are renewed (0.1 s..1 hour); also the longest one renewal call holds the next back.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>On shutdown, how long running tasks may go on finishing before they are handed back.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the worker takes tasks as soon as the silo is active instead of once the host has started (every hosted
    /// service, the web server included): about 0.1-0.2 s sooner on a cold start. False (the default) suits an app:
    /// its handlers may need services it starts after the silo, and a host whose start then fails (a port in use, a
    /// service that throws) is torn down without the worker's graceful stop, so whatever it had leased would run again
    /// only once its lease ran out or the silo was declared dead. The stock silo (<c>src/Silo</c>) turns it on by default: nothing
    /// it starts after the silo serves its handlers, and a start failing there is handled as a crash.
    /// </summary>
    public bool StartAtSiloActive { get; set; }

    /// <summary>
    /// How often this worker reports itself (queues, slots, counts) to the cluster's worker directory, which
    /// <c>GET /api/workers</c> lists; a worker that missed three reports is taken for gone.
    /// </summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(5);
}
