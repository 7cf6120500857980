using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DistributedTaskQueue.Schedules;

/// <summary>
/// The idempotency keys of a schedule's tasks: <c>{name}:{occurrenceUtc:O}</c> for an occurrence and
/// <c>{name}:{utc:O}:manual</c> for a trigger, so a second submit for one occurrence finds the first task. A key
/// longer than the 200-character limit (a name over about 160 characters), or a name that starts as a hashed one does,
/// names the schedule by a SHA-256 prefix instead.
/// </summary>
/// <remarks>
/// No two schedules' keys are alike, although names may hold ':': the time is always 28 characters, so keys that end
/// in a time (occurrences, ending in Z) or in <c>:manual</c> (triggers) each give back their name by length; and a plain
/// key never starts with <see cref="HashedPrefix"/>.
/// </remarks>
internal static class ScheduleKeys
{
    private const string HashedPrefix = "sha256-";

    public static string ForOccurrence(string name, DateTimeOffset occurrence) => Fit(name, Format(occurrence));

    public static string ForTrigger(string name, DateTimeOffset at) => Fit(name, Format(at) + ":manual");

    /// <summary>Round-trip UTC with a Z: 2026-03-29T01:00:00.0000000Z.</summary>
    public static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string Fit(string name, string suffix)
    {
        var key = $"{name}:{suffix}";
        if (key.Length <= TaskRules.MaxIdempotencyKeyLength && !name.StartsWith(HashedPrefix, StringComparison.Ordinal)) return key;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));
        return $"{HashedPrefix}{hash}:{suffix}";
    }
}
