namespace DistributedTaskQueue;

/// <summary>
/// Everything <c>UseTaskQueueSilo</c> sets up, bound from configuration first and then from the caller's delegate, once,
/// while the host is built: clustering, endpoints and storage are chosen from it then. Its parts reach the options
/// system as they are (<c>IOptions&lt;PartitionOptions&gt;</c> and so on), each validated when the silo starts.
/// </summary>
public sealed class TaskQueueSiloOptions
{
    /// <summary>Settings shared with clients (Redis, cluster, queue defaults, limits on a submit).</summary>
    public TaskQueueOptions Options { get; set; } = new();

    /// <summary>How this silo's queue partitions keep tasks (leases, retention, memory); same <c>TaskQueue</c> section.</summary>
    public PartitionOptions Partitions { get; set; } = new();

    /// <summary>This silo's worker (the service that leases and runs tasks).</summary>
    public WorkerOptions Worker { get; set; } = new();

    /// <summary>How schedule grains run (<c>TaskQueue:Schedules</c>): the period of the reminder that keeps them alive.</summary>
    public ScheduleOptions Schedules { get; set; } = new();

    /// <summary>How fast a dead or frozen silo is declared dead (<c>TaskQueue:FailureDetection</c>); Redis mode only.</summary>
    public FailureDetectionOptions FailureDetection { get; set; } = new();

    /// <summary>OpenTelemetry export: <c>/metrics</c> and OTLP (<c>TaskQueue:Metrics</c>).</summary>
    public TaskQueueMetricsOptions Metrics { get; set; } = new();

    /// <summary>The Orleans dashboard under <c>/dashboard</c> (<c>TaskQueue:Dashboard</c>).</summary>
    public TaskQueueDashboardOptions Dashboard { get; set; } = new();

    /// <summary>What <c>/health/ready</c> tolerates (<c>TaskQueue:Health</c>).</summary>
    public HealthOptions Health { get; set; } = new();

    /// <summary>Who may call <c>/api</c> and <c>/dashboard</c> (<c>TaskQueue:Access</c>): loopback only until keys are configured.</summary>
    public AccessOptions Access { get; set; } = new();

    /// <summary>Silo-to-silo port (<c>TaskQueue:SiloPort</c>).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port (<c>TaskQueue:GatewayPort</c>).</summary>
    public int GatewayPort { get; set; } = TaskQueueConfiguration.DefaultGatewayPort;

    /// <summary>The address other silos and clients reach this one at (<c>TaskQueue:AdvertisedAddress</c>); empty means this host's address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// What to do when Redis could lose or evict acknowledged tasks (<c>TaskQueue:RedisDurability</c>): warn
    /// (the default), refuse to start, or not check. Redis mode only.
    /// </summary>
    public RedisDurability RedisDurability { get; set; } = RedisDurability.Warn;

    /// <summary>True when no Redis is configured: one silo with in-memory storage and reminders.</summary>
    public bool IsEmbedded => string.IsNullOrWhiteSpace(Options.RedisConnectionString);
}
