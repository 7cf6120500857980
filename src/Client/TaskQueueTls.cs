using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace DistributedTaskQueue;

/// <summary>
/// TLS between silos and between clients and silos (Orleans' <c>UseTls</c>), from <see cref="TaskQueueOptions.TlsCertificate"/>,
/// <see cref="TaskQueueOptions.TlsKey"/> and <see cref="TaskQueueOptions.TlsCaCertificate"/>: one rule for both sides,
/// mutual (each side presents a certificate, and each requires the other's).
/// </summary>
public static class TaskQueueTls
{
    /// <summary>Whether the settings turn TLS on.</summary>
    public static bool IsOn(TaskQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !string.IsNullOrWhiteSpace(options.TlsCertificate);
    }

    /// <summary>This process's certificate, with its key.</summary>
    /// <exception cref="InvalidOperationException">A file is missing, or the key is not set.</exception>
    public static X509Certificate2 Certificate(TaskQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.TlsKey)) throw new InvalidOperationException("TaskQueue:TlsCertificate needs TaskQueue:TlsKey, the PEM file of its private key.");
        return TaskQueuePem.WithKey(Existing(options.TlsCertificate!, "TlsCertificate"), "TlsCertificate", Existing(options.TlsKey, "TlsKey"), "TlsKey");
    }

    /// <summary>Requires a certificate from every peer (silo or client) and checks it against the cluster's CA.</summary>
    public static void Configure(TlsOptions tls, TaskQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(options);
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        if (string.IsNullOrWhiteSpace(options.TlsCaCertificate)) return;
        var authorities = TaskQueuePem.Authorities(options.TlsCaCertificate, "TlsCaCertificate", requireCa: true);
        tls.RemoteCertificateValidation = (certificate, _, errors) => ChainsTo(authorities, certificate, errors);
    }

    /// <summary>
    /// Trusted when it chains to <paramref name="ca"/> alone (not to the machine's roots). Peers are dialled by IP
    /// address, which a certificate rarely names, so a name mismatch is not a failure; any other error is.
    /// </summary>
    internal static bool ChainsTo(X509Certificate2 ca, X509Certificate2 certificate, SslPolicyErrors errors) =>
        ChainsTo(new X509Certificate2Collection(ca), certificate, errors);

    /// <summary>
    /// Trusted when it chains to one of <paramref name="authorities"/> alone and may authenticate a client. Every member of
    /// a cluster dials (clients dial gateways, silos dial each other), so a peer's certificate must allow client
    /// authentication when it lists usages at all: a certificate the same CA issued for another purpose (a Redis server's,
    /// server authentication only) is not a cluster member. Orleans' callback does not say whether the peer dials or
    /// listens, so this one rule covers both; silo certificates carry both usages (README).
    /// </summary>
    internal static bool ChainsTo(X509Certificate2Collection authorities, X509Certificate2 certificate, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
        return AllowsClientAuthentication(certificate) && TaskQueuePem.ChainsToAny(authorities, certificate);
    }

    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>No extended key usage extension means any usage (RFC 5280); else it must list client authentication.</summary>
    private static bool AllowsClientAuthentication(X509Certificate2 certificate)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return usages is null || usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthentication);
    }

    private static string Existing(string path, string key) => File.Exists(path)
        ? path
        : throw new InvalidOperationException($"TaskQueue:{key} names '{path}', which is not a file this process can read.");
}
