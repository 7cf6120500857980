using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DistributedTaskQueue.Schedules;

/// <summary>
/// The idempotency keys of a schedule's tasks: <c>{name}:{occurrenceUtc:O}</c> for an occurrence and
/// <c>{name}:manual:{utc:O}</c> for a trigger, so a second submit for one occurrence finds the first task. A key
/// longer than the 200-character limit (a name over about 160 characters) names the schedule by a SHA-256 prefix instead.
/// </summary>
internal static class ScheduleKeys
{
    public static string ForOccurrence(string name, DateTimeOffset occurrence) => Fit(name, Format(occurrence));

    public static string ForTrigger(string name, DateTimeOffset at) => Fit(name, "manual:" + Format(at));

    /// <summary>Round-trip UTC with a Z: 2026-03-29T01:00:00.0000000Z.</summary>
    public static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string Fit(string name, string suffix)
    {
        var key = $"{name}:{suffix}";
        if (key.Length <= TaskRules.MaxIdempotencyKeyLength) return key;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));
        return $"sha256-{hash}:{suffix}";
    }
}
