using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DistributedTaskQueue.Schedules;

/// <summary>
/// The idempotency keys of a schedule's tasks: <c>{name}:{occurrenceUtc:O}:{incarnation}</c> for an occurrence and
/// <c>{name}:{utc:O}:manual:{incarnation}</c> for a trigger, so a second submit for one occurrence finds the first task,
/// and a schedule created again after its removal (a new incarnation) never finds the removed one's tasks. A key longer
/// than the 200-character limit (a name over 154 characters for an occurrence, over 147 for a trigger; 171 and 164
/// without an incarnation), or a name that starts as a hashed one does, names the schedule by a SHA-256 prefix instead.
/// </summary>
/// <remarks>
/// <para>
/// A schedule stored before incarnations existed has none, and keeps the keys it always had (no incarnation, no last
/// colon): an occurrence submitted just before an upgrade is not submitted again under a new key after it.
/// </para>
/// <para>
/// No two schedules' keys are alike, although names may hold ':'. A key's ending tells its kind: 16 lowercase hex
/// digits (an incarnation), Z (an occurrence without one) or <c>:manual</c> (a trigger without one); none of these ends
/// in another's way, the time is always 28 characters, so each key gives back its name by length; and a plain key never
/// starts with <see cref="HashedPrefix"/>.
/// </para>
/// </remarks>
internal static class ScheduleKeys
{
    private const string HashedPrefix = "sha256-";

    public static string ForOccurrence(string name, string? incarnation, DateTimeOffset occurrence) =>
        Fit(name, Format(occurrence), incarnation);

    public static string ForTrigger(string name, string? incarnation, DateTimeOffset at) =>
        Fit(name, Format(at) + ":manual", incarnation);

    /// <summary>
    /// A new schedule's incarnation: 16 random lowercase hex digits. Random rather than the creation time: a schedule
    /// removed and created again within one tick of the clock (a fake clock, a coarse one) must still differ.
    /// </summary>
    public static string NewIncarnation() => Random.Shared.NextInt64().ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Round-trip UTC with a Z: 2026-03-29T01:00:00.0000000Z.</summary>
    public static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string Fit(string name, string when, string? incarnation)
    {
        var suffix = incarnation is null ? when : $"{when}:{incarnation}";
        var key = $"{name}:{suffix}";
        if (key.Length <= TaskRules.MaxIdempotencyKeyLength && !name.StartsWith(HashedPrefix, StringComparison.Ordinal)) return key;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));
        return $"{HashedPrefix}{hash}:{suffix}";
    }
}
