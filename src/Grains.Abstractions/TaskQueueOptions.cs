namespace DistributedTaskQueue;

/// <summary>
/// Settings shared by silos and clients: what a client needs to reach the cluster and to build and check a submit
/// as the silo will. Bound from the <c>TaskQueue</c> configuration section by <see cref="TaskQueueConfiguration"/>
/// (<c>TaskQueue:Redis</c>, or the environment variable <c>TaskQueue__Redis</c>, names the Redis server). How the
/// silo's partitions keep tasks (leases, retention, memory) is the silo's own <c>PartitionOptions</c>, same section.
/// </summary>
public sealed class TaskQueueOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "TaskQueue";

    /// <summary>StackExchange.Redis connection string; null or empty means the embedded in-memory default (silo) or localhost (client).</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// A PEM file with the certificate authority that signed Redis's TLS certificate, when the machine does not trust it
    /// (a private CA): <c>TaskQueue:RedisCaCertificate</c>. TLS itself is on through the connection string
    /// (<c>ssl=true</c>), as are the password and the ACL user (<c>user=...,password=...</c>).
    /// </summary>
    public string? RedisCaCertificate { get; set; }

    /// <summary>
    /// A PEM certificate this process presents to Redis (Redis's <c>tls-auth-clients yes</c>, its default with TLS), with
    /// <see cref="RedisClientKey"/>: <c>TaskQueue:RedisClientCertificate</c>.
    /// </summary>
    public string? RedisClientCertificate { get; set; }

    /// <summary>The PEM private key of <see cref="RedisClientCertificate"/>: <c>TaskQueue:RedisClientKey</c>.</summary>
    public string? RedisClientKey { get; set; }

    /// <summary>
    /// A PEM certificate that turns on TLS between silos and between clients and silos (<c>TaskQueue:TlsCertificate</c>,
    /// with <see cref="TlsKey"/>). With it on, every connection must present a certificate that chains to
    /// <see cref="TlsCaCertificate"/> (or, without one, that this machine trusts): a client without one is refused. A
    /// silo's certificate is used as server and as client, so it needs both usages when it restricts them.
    /// </summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCertificate"/>: <c>TaskQueue:TlsKey</c>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>
    /// A PEM file with the CA that signs the cluster's certificates (<c>TaskQueue:TlsCaCertificate</c>): a peer's
    /// certificate must chain to it. Peers are reached by IP address, so the certificate's name is not checked.
    /// </summary>
    public string? TlsCaCertificate { get; set; }

    /// <summary>Orleans cluster id: silos and clients of one deployment share it.</summary>
    public string ClusterId { get; set; } = "dtq";

    /// <summary>Orleans service id: the prefix of every durable key, stable across deployments.</summary>
    public string ServiceId { get; set; } = "dtq";

    /// <summary>The queue used when a submit names none.</summary>
    public string DefaultQueue { get; set; } = QueueNames.Default;

    /// <summary>How many partitions each queue has; silos and clients must agree.</summary>
    public int PartitionsPerQueue { get; set; } = 1;

    /// <summary>Largest accepted payload, in bytes of UTF-8 JSON.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long a submit keeps retrying while its queue partition cannot be reached (its silo died and is being
    /// replaced): past it the submit fails with <see cref="TaskQueueUnavailableException"/>, saying whether the task may
    /// have been accepted. Silos must remember submits longer than this (<c>TaskQueue:SubmitDedupeWindow</c>).
    /// </summary>
    public TimeSpan SubmitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retry policy for tasks that name none (<c>TaskQueue:DefaultRetry:MaxRetries</c> and so on).</summary>
    // A fresh instance, not RetryPolicy.Default: configuration binds into the instance it finds, and would change the
    // shared default of the whole process.
    public RetryPolicy DefaultRetry { get; set; } = new();
}
