using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>A day of the week and a local time on it.</summary>
/// <remarks>Every field is required: a positional record would otherwise read a left-out one as 0 (Sunday, midnight).</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WeeklyRequest([property: JsonRequired] DayOfWeek Day, [property: JsonRequired] int Hour, [property: JsonRequired] int Minute);
