using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DistributedTaskQueue.Tests.Support;
using Orleans.Connections.Security;

namespace DistributedTaskQueue.Tests.Client;

/// <summary>
/// Orleans TLS settings with hostile values, and the peer check (<see cref="TaskQueueTls.ChainsTo"/>) with certificates
/// it must refuse: made in memory here, no silo needed.
/// </summary>
public sealed class TaskQueueTlsTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    private static X509Certificate2 MakeCa(string subject, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(Now.AddDays(-2), notAfter ?? Now.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string subject, bool isCa = false, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            isCa ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        using var certificate = request.Create(issuer, Now.AddDays(-1), notAfter ?? Now.AddDays(1), serial);
        return certificate.CopyWithPrivateKey(key);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_certificates.Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static X509Certificate2 Load(string path) => X509Certificate2.CreateFromPem(File.ReadAllText(path));

    [Fact]
    public void ChainsTo_ACertificateTheCaSigned_IsTrusted()
    {
        using var ca = Load(_certificates.CaCertificate);
        using var node = Load(_certificates.NodeCertificate);

        Assert.True(TaskQueueTls.ChainsTo(ca, node, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void ChainsTo_ACertificateSignedByAnotherCaWithTheSameSubject_IsRefused()
    {
        using var ca = Load(_certificates.CaCertificate);
        using var impostor = MakeCa("CN=dtq test CA");
        using var leaf = Issue(impostor, "CN=dtq silo");

        Assert.False(TaskQueueTls.ChainsTo(ca, leaf, SslPolicyErrors.None));
    }

    [Fact]
    public void ChainsTo_AnExpiredCertificateTheCaSigned_IsRefused()
    {
        using var ca = MakeCa("CN=expiry CA");
        using var leaf = Issue(ca, "CN=old silo", notAfter: Now.AddHours(-1));

        Assert.False(TaskQueueTls.ChainsTo(ca, leaf, SslPolicyErrors.None));
    }

    [Fact]
    public void ChainsTo_ACertificateSignedByALeafOfTheCa_IsRefused()
    {
        using var ca = MakeCa("CN=root");
        using var leaf = Issue(ca, "CN=not a ca");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=signed by a leaf", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // CertificateRequest refuses a non-CA issuer, so sign with the leaf's key directly.
        using var grandchild = request.Create(leaf.SubjectName, X509SignatureGenerator.CreateForRSA(leaf.GetRSAPrivateKey()!, RSASignaturePadding.Pkcs1),
            Now.AddDays(-1), Now.AddDays(1), [9]);

        Assert.False(TaskQueueTls.ChainsTo(ca, grandchild, SslPolicyErrors.None));
    }

    [Fact]
    public void ChainsTo_ACertificateOfAnIntermediateThePeerDoesNotPresent_IsRefused()
    {
        // Only partly to the CA: the intermediate is not in the trust store and not given.
        using var ca = MakeCa("CN=root");
        using var intermediate = Issue(ca, "CN=intermediate", isCa: true);
        using var leaf = Issue(intermediate, "CN=via intermediate");

        Assert.False(TaskQueueTls.ChainsTo(ca, leaf, SslPolicyErrors.None));
    }

    // Accepted until ChainsTo required client authentication of every peer (all cluster members dial).
    [Fact]
    public void ChainsTo_ACertificateTheCaIssuedForAnotherService_IsRefusedAsAPeer()
    {
        // Redis's server certificate (serverAuth only, CN=localhost) from the same CA, as SecureRedisServer is set up.
        using var ca = Load(_certificates.CaCertificate);
        using var redisServer = Load(_certificates.ServerCertificate);

        Assert.False(TaskQueueTls.ChainsTo(ca, redisServer, SslPolicyErrors.None));
    }

    [Fact]
    public void ChainsTo_NoCertificate_IsRefused()
    {
        using var ca = Load(_certificates.CaCertificate);
        using var node = Load(_certificates.NodeCertificate);

        Assert.False(TaskQueueTls.ChainsTo(ca, node, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void Configure_ACaFileWithTwoCas_TrustsCertificatesOfTheSecond()
    {
        // A CA rotation: the file holds the old CA and the new one, and peers already on the new one must be let in.
        using var oldCa = MakeCa("CN=old CA");
        using var newCa = MakeCa("CN=new CA");
        using var leaf = Issue(newCa, "CN=rotated silo");
        var bundle = Write("bundle.crt", oldCa.ExportCertificatePem() + "\n" + newCa.ExportCertificatePem() + "\n");
        var tls = new TlsOptions();

        TaskQueueTls.Configure(tls, new TaskQueueOptions { TlsCaCertificate = bundle });

        Assert.True(tls.RemoteCertificateValidation!(leaf, null!, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("directory")]
    [InlineData("key")]
    public void Configure_ACaFileThatHoldsNoCertificate_FailsNamingTheSetting(string kind)
    {
        var path = Hostile(kind);
        var refused = Assert.Throws<InvalidOperationException>(() => TaskQueueTls.Configure(new TlsOptions(), new TaskQueueOptions { TlsCaCertificate = path }));

        Assert.Contains("TaskQueue:TlsCaCertificate", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_ACaFileThatHoldsALeafInsteadOfACa_FailsNamingTheSetting()
    {
        var refused = Assert.Throws<InvalidOperationException>(() =>
            TaskQueueTls.Configure(new TlsOptions(), new TaskQueueOptions { TlsCaCertificate = _certificates.NodeCertificate }));

        Assert.Contains("TaskQueue:TlsCaCertificate", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("directory")]
    [InlineData("key")]
    public void Certificate_ACertificateFileThatHoldsNoCertificate_FailsNamingTheSetting(string kind)
    {
        var path = Hostile(kind);
        var refused = Assert.Throws<InvalidOperationException>(() =>
            TaskQueueTls.Certificate(new TaskQueueOptions { TlsCertificate = path, TlsKey = _certificates.NodeKey }));

        Assert.Contains("TaskQueue:TlsCertificate", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("directory")]
    [InlineData("certificate")]
    [InlineData("other key")]
    public void Certificate_AKeyFileThatHoldsNotItsKey_FailsNamingTheSetting(string kind)
    {
        var path = Hostile(kind);
        var refused = Assert.Throws<InvalidOperationException>(() =>
            TaskQueueTls.Certificate(new TaskQueueOptions { TlsCertificate = _certificates.NodeCertificate, TlsKey = path }));

        Assert.Contains("TaskQueue:TlsKey", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MII", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_AnExpiredCertificate_FailsNamingTheSetting()
    {
        using var ca = MakeCa("CN=expiry CA");
        using var leaf = Issue(ca, "CN=old silo", notAfter: Now.AddHours(-1));
        var certificate = Write("expired.crt", leaf.ExportCertificatePem());
        var key = Write("expired.key", leaf.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var refused = Assert.Throws<InvalidOperationException>(() => TaskQueueTls.Certificate(new TaskQueueOptions { TlsCertificate = certificate, TlsKey = key }));

        Assert.Contains("TaskQueue:TlsCertificate", refused.Message, StringComparison.Ordinal);
        Assert.Contains("expired", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_ItsOwnFiles_LoadWithTheKey()
    {
        using var certificate = TaskQueueTls.Certificate(new TaskQueueOptions { TlsCertificate = _certificates.NodeCertificate, TlsKey = _certificates.NodeKey });

        Assert.True(certificate.HasPrivateKey);
    }

    private string Hostile(string kind) => kind switch
    {
        "empty" => Write("empty.pem", ""),
        "garbage" => Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"),
        "directory" => System.IO.Directory.CreateDirectory(Path.Combine(_certificates.Directory, "a-directory")).FullName,
        "key" => _certificates.NodeKey,
        "certificate" => _certificates.NodeCertificate,
        "other key" => _certificates.ClientKey,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
