using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>A local time of day.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TimeOfDayRequest(int Hour, int Minute);
