using StackExchange.Redis;

namespace DistributedTaskQueue;

/// <summary>
/// The one place that turns the shared settings into a StackExchange.Redis configuration, for every Redis consumer of
/// a silo or client (clustering, partition and schedule storage, reminders, the start-up and health checks): so a
/// password, an ACL user, TLS and a private CA reach all of them or none.
/// </summary>
public static class TaskQueueRedis
{
    /// <summary>
    /// The connection string of <paramref name="options"/>, plus the trusted CA and the client certificate it names.
    /// </summary>
    /// <exception cref="InvalidOperationException">A certificate file it names does not exist, or only one of the client pair is set.</exception>
    public static ConfigurationOptions Configuration(TaskQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = ConfigurationOptions.Parse(options.RedisConnectionString ?? "localhost");
        // Replies are read on the .NET thread pool, not on the library's own socket threads: on a small machine those
        // threads cost a hand-off per reply. Three alternated rounds of `bench -- producers --tasks 20000` (bench/README,
        // issue 13): 1 producer 1,157 -> 1,349 submits/s (silo CPU per task 923 -> 735 us), 8 producers 3,112 -> 3,424/s
        // (404 -> 356 us), 64 unchanged. A write's continuation runs on the thread pool anyway (the partition grain's
        // turn), so handlers that block pool threads stall it in either mode (BlockingHandlerTests).
        configuration.SocketManager = SocketManager.ThreadPool;
        if (!string.IsNullOrWhiteSpace(options.RedisCaCertificate))
        {
            // Read here, so a file without a certificate is refused naming its setting (the library's exception names neither).
            var authorities = TaskQueuePem.Authorities(options.RedisCaCertificate, "RedisCaCertificate", requireCa: false);
            if (authorities.Count == 1)
            {
                authorities[0].Dispose();
                configuration.TrustIssuer(options.RedisCaCertificate);
            }
            else
            {
                // TrustIssuer reads the file's first certificate only: a CA rotation bundle needs each of them trusted.
                // As TrustIssuer does: the chain may end at one of these CAs alone, and the name must still match.
                configuration.CertificateValidation += (_, certificate, _, errors) =>
                    certificate is not null
                    && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == System.Net.Security.SslPolicyErrors.None
                    && TaskQueuePem.ChainsToAny(authorities, certificate as System.Security.Cryptography.X509Certificates.X509Certificate2 ?? new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
            }
        }
        var certificate = string.IsNullOrWhiteSpace(options.RedisClientCertificate) ? null : options.RedisClientCertificate;
        var key = string.IsNullOrWhiteSpace(options.RedisClientKey) ? null : options.RedisClientKey;
        if ((certificate is null) != (key is null))
            throw new InvalidOperationException("TaskQueue:RedisClientCertificate and TaskQueue:RedisClientKey go together: set both, or neither.");
        if (certificate is not null)
        {
            // Loaded once here, so a wrong file or a key that is not the certificate's is refused naming its setting.
            TaskQueuePem.WithKey(TaskQueuePem.Existing(certificate, "RedisClientCertificate"), "RedisClientCertificate", TaskQueuePem.Existing(key!, "RedisClientKey"), "RedisClientKey").Dispose();
            configuration.SetUserPemCertificate(certificate, key!);
        }
        return configuration;
    }

    /// <summary>The connection string without its password, for logs and error messages.</summary>
    public static string Describe(TaskQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return ConfigurationOptions.Parse(options.RedisConnectionString ?? "localhost").ToString(includePassword: false);
        }
        catch (ArgumentException)
        {
            return "(a connection string that does not parse)";
        }
    }
}
