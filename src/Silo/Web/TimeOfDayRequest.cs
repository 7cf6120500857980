using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>A local time of day.</summary>
/// <remarks>Both fields are required: a positional record would otherwise read a left-out one as 0 (midnight).</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TimeOfDayRequest([property: JsonRequired] int Hour, [property: JsonRequired] int Minute);
