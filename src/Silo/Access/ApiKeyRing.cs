using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// The configured keys, kept as SHA-256 hashes and matched in constant time: a presented key is hashed and compared with
/// every configured hash, without stopping at the first match, so timing tells nothing about how close a guess was
/// (hashing first also makes every comparison the same length).
/// </summary>
internal sealed class ApiKeyRing
{
    private readonly (byte[] Hash, AccessRole Role, string Name)[] _keys;

    public ApiKeyRing(IOptions<AccessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = options.Value.Keys
            .Select((k, i) => (Hash(k.Key), k.Role ?? AccessRole.ReadOnly, string.IsNullOrWhiteSpace(k.Name) ? $"key {i}" : k.Name))
            .ToArray();
    }

    /// <summary>True when no key is configured: only loopback callers are answered.</summary>
    public bool IsEmpty => _keys.Length == 0;

    /// <summary>The holder and role of <paramref name="presented"/>, or null when it is no configured key.</summary>
    public (string Name, AccessRole Role)? Match(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var hash = Hash(presented);
        (string, AccessRole)? match = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash)) match = (key.Name, key.Role);
        }
        return match;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
