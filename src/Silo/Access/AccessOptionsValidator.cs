using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Checks <see cref="AccessOptions"/> when the silo starts; each failure names its key, never a key's value.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    /// <summary>Shorter keys can be guessed; 16 characters of a generated key (openssl rand -hex 32 gives 64) are plenty.</summary>
    public const int MinKeyLength = 16;

    private const int MaxKeyLength = 1024;
    private const string Section = "TaskQueue:Access";

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Keys is null) return ValidateOptionsResult.Fail($"{Section}:Keys must not be null (empty: loopback callers only).");
        var failures = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var entry = options.Keys[i];
            var at = $"{Section}:Keys:{i}";
            if (entry is null)
            {
                failures.Add($"{at} must not be null.");
                continue;
            }
            if (entry.Key is null || entry.Key.Length < MinKeyLength || entry.Key.Length > MaxKeyLength)
                failures.Add($"{at}:Key must be {MinKeyLength}..{MaxKeyLength} characters, was {entry.Key?.Length ?? 0}.");
            else if (entry.Key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                failures.Add($"{at}:Key must not hold whitespace or control characters (HTTP headers would not carry it intact).");
            else if (!seen.TryAdd(entry.Key, i))
                failures.Add($"{at}:Key repeats {Section}:Keys:{seen[entry.Key]}:Key; each key has one role.");
            if (entry.Role is not { } role || !Enum.IsDefined(role))
                failures.Add($"{at}:Role must be Admin or ReadOnly.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
