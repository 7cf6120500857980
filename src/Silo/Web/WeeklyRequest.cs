using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>A day of the week and a local time on it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WeeklyRequest(DayOfWeek Day, int Hour, int Minute);
