namespace DistributedTaskQueue;

/// <summary>
/// When a schedule fires: a closed set of timings. Daily, weekly and cron timings are read in a time zone
/// (an IANA id such as <c>Europe/Berlin</c>; default <c>UTC</c>) and follow its daylight-saving rules (see the README).
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.ScheduleKind")]
public abstract record ScheduleKind
{
    /// <summary>The time zone id of a timing that has none.</summary>
    public const string Utc = "UTC";

    /// <summary>Once, at <see cref="At"/> (at once if that is already past when it is created).</summary>
    [GenerateSerializer, Immutable, Alias("dtq.ScheduleKind.Once")]
    public sealed record Once([property: Id(0)] DateTimeOffset At) : ScheduleKind;

    /// <summary>Every <see cref="Minutes"/> minutes, counted from when this timing was set (the first fire is one interval later).</summary>
    [GenerateSerializer, Immutable, Alias("dtq.ScheduleKind.EveryMinutes")]
    public sealed record EveryMinutes([property: Id(0)] int Minutes) : ScheduleKind;

    /// <summary>Every day at <see cref="Hour"/>:<see cref="Minute"/> local time in <see cref="TimeZoneId"/>.</summary>
    [GenerateSerializer, Immutable, Alias("dtq.ScheduleKind.Daily")]
    public sealed record Daily(
        [property: Id(0)] int Hour,
        [property: Id(1)] int Minute,
        [property: Id(2)] string TimeZoneId = Utc) : ScheduleKind;

    /// <summary>Every week on <see cref="Day"/> at <see cref="Hour"/>:<see cref="Minute"/> local time in <see cref="TimeZoneId"/>.</summary>
    [GenerateSerializer, Immutable, Alias("dtq.ScheduleKind.Weekly")]
    public sealed record Weekly(
        [property: Id(0)] DayOfWeek Day,
        [property: Id(1)] int Hour,
        [property: Id(2)] int Minute,
        [property: Id(3)] string TimeZoneId = Utc) : ScheduleKind;

    /// <summary>
    /// A cron expression (parsed by Cronos): five fields (minute hour day-of-month month day-of-week), six with a
    /// leading seconds field, or a macro such as <c>@daily</c>; read in <see cref="TimeZoneId"/>.
    /// </summary>
    [GenerateSerializer, Immutable, Alias("dtq.ScheduleKind.Cron")]
    public sealed record Cron(
        [property: Id(0)] string Expression,
        [property: Id(1)] string TimeZoneId = Utc) : ScheduleKind;
}
