using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A private CA made for one test, with a server certificate for 127.0.0.1 and a client certificate it signed, written
/// as PEM files (what redis-server and the silo's settings read) in a temporary directory.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaCertificate => Path.Combine(Directory, "ca.crt");

    public string ServerCertificate => Path.Combine(Directory, "server.crt");

    public string ServerKey => Path.Combine(Directory, "server.key");

    public string ClientCertificate => Path.Combine(Directory, "client.crt");

    public string ClientKey => Path.Combine(Directory, "client.key");

    /// <summary>A silo's certificate: it serves (gateway, silo port) and dials (other silos), so it has both usages.</summary>
    public string NodeCertificate => Path.Combine(Directory, "node.crt");

    public string NodeKey => Path.Combine(Directory, "node.key");

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(System.IO.Directory.CreateTempSubdirectory("dtq-tls-").FullName);
        var now = TimeProvider.System.GetUtcNow();
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=dtq test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        File.WriteAllText(certificates.CaCertificate, ca.ExportCertificatePem());
        Issue(ca, "CN=localhost", [ServerAuth], certificates.ServerCertificate, certificates.ServerKey, now, 2);
        Issue(ca, "CN=dtq client", [ClientAuth], certificates.ClientCertificate, certificates.ClientKey, now, 3);
        Issue(ca, "CN=dtq silo", [ServerAuth, ClientAuth], certificates.NodeCertificate, certificates.NodeKey, now, 4);
        return certificates;
    }

    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private static void Issue(X509Certificate2 ca, string subject, string[] usages, string certificatePath, string keyPath, DateTimeOffset now, byte serial)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var oids = new OidCollection();
        foreach (var usage in usages) oids.Add(new Oid(usage));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.Create(ca, now.AddDays(-1), now.AddDays(1), [serial]);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
