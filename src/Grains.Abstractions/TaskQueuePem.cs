using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DistributedTaskQueue;

/// <summary>
/// Reads the PEM files the TLS settings name (Redis's and Orleans'), failing at start-up with the setting to change when
/// a file is missing or holds the wrong thing; a file's contents (a key) are never quoted.
/// </summary>
public static class TaskQueuePem
{
    /// <summary>
    /// A PEM certificate and its key, or an <see cref="InvalidOperationException"/> naming the setting whose file is wrong
    /// (the runtime's own exception names neither, and the file's contents are never quoted).
    /// </summary>
    public static X509Certificate2 WithKey(string certificatePath, string certificateKey, string keyPath, string keyKey)
    {
        try
        {
            using var alone = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
            var now = TimeProvider.System.GetUtcNow().UtcDateTime;
            if (now > alone.NotAfter.ToUniversalTime() || now < alone.NotBefore.ToUniversalTime())
            {
                throw new InvalidOperationException(
                    $"TaskQueue:{certificateKey} names '{certificatePath}', whose certificate '{alone.Subject}' has expired or is not yet valid (valid {alone.NotBefore.ToUniversalTime():u} to {alone.NotAfter.ToUniversalTime():u}): every peer would refuse it.");
            }
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"TaskQueue:{certificateKey} names '{certificatePath}', which holds no PEM CERTIFICATE this process can read ({ex.Message}).", ex);
        }
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"TaskQueue:{keyKey} names '{keyPath}', which does not hold the private key of TaskQueue:{certificateKey}'s certificate (an unencrypted PEM private key that matches it is needed).", ex);
        }
    }

    /// <summary>
    /// The CA certificates of a PEM file (one or more, for a CA rotation), or an <see cref="InvalidOperationException"/>
    /// naming the setting when the file holds none, or (with <paramref name="requireCa"/>) holds a certificate that is not a CA (a leaf).
    /// </summary>
    public static X509Certificate2Collection Authorities(string path, string key, bool requireCa)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(Existing(path, key));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"TaskQueue:{key} names '{path}', which holds no PEM CERTIFICATE this process can read ({ex.Message}).", ex);
        }
        if (authorities.Count == 0) throw new InvalidOperationException($"TaskQueue:{key} names '{path}', which holds no PEM CERTIFICATE.");
        if (!requireCa) return authorities;
        foreach (var authority in authorities)
        {
            if (authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
                throw new InvalidOperationException($"TaskQueue:{key} names '{path}', whose certificate '{authority.Subject}' is not a CA (no basic constraints CA:TRUE): name the CA that signed the certificates instead.");
        }
        return authorities;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to one of <paramref name="authorities"/> alone (not to the machine's roots).</summary>
    public static bool ChainsToAny(X509Certificate2Collection authorities, X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>The path, when it is a file; otherwise an <see cref="InvalidOperationException"/> naming the setting.</summary>
    public static string Existing(string path, string key) => File.Exists(path)
        ? path
        : throw new InvalidOperationException($"TaskQueue:{key} names '{path}', which is not a file this process can read.");
}
