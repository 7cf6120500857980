namespace DistributedTaskQueue;

/// <summary>
/// What a schedule does with occurrences it missed: <see cref="Skip"/>, <see cref="FireOnce"/> (the default) or
/// <see cref="FireAll(int)"/> up to a limit. Decided from the schedule's own stored last occurrence, never from
/// reminder ticks (Orleans skips missed ticks instead of catching up).
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.MisfirePolicy")]
public sealed record MisfirePolicy
{
    /// <summary>Largest <see cref="Limit"/> of <see cref="FireAll(int)"/>.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Missed occurrences are not fired (and are counted as skipped).</summary>
    public static MisfirePolicy Skip { get; } = new() { Action = MisfireAction.Skip, Limit = 0 };

    /// <summary>Missed occurrences are fired once, together (the default).</summary>
    public static MisfirePolicy FireOnce { get; } = new() { Action = MisfireAction.FireOnce, Limit = 1 };

    /// <summary>Each missed occurrence is fired, the most recent <paramref name="limit"/> at most (1-1000).</summary>
    public static MisfirePolicy FireAll(int limit) => new() { Action = MisfireAction.FireAll, Limit = limit };

    /// <summary>The action.</summary>
    [Id(0)] public MisfireAction Action { get; init; } = MisfireAction.FireOnce;

    /// <summary>For <see cref="MisfireAction.FireAll"/>: the most missed occurrences fired at once.</summary>
    [Id(1)] public int Limit { get; init; } = 1;

    /// <inheritdoc />
    public override string ToString() => Action == MisfireAction.FireAll ? $"FireAll({Limit})" : Action.ToString();
}
