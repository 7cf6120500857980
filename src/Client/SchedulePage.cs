namespace DistributedTaskQueue;

/// <summary>One page of schedules, and the token of the next page (null on the last).</summary>
/// <param name="Schedules">The schedules on this page (in directory order: stable, not alphabetical across pages).</param>
/// <param name="NextPageToken">Pass it to <see cref="TaskSchedules.ListAsync"/> for the next page; null when this was the last.</param>
public sealed record SchedulePage(IReadOnlyList<ScheduleInfo> Schedules, string? NextPageToken);
