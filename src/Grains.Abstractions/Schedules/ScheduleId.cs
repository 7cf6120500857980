namespace DistributedTaskQueue;

/// <summary>
/// A schedule's id: the name its owner chose ("Daily Cleanup"). Scheduling again under the same name updates that
/// schedule instead of adding a second one. 1-200 characters, none of them control characters.
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.ScheduleId")]
public readonly record struct ScheduleId
{
    /// <summary>Longest schedule name, in characters.</summary>
    public const int MaxLength = 200;

    /// <summary>Creates an id; throws <see cref="InvalidScheduleException"/> (field <c>Name</c>) when the name is not valid.</summary>
    public ScheduleId(string name) => Name = ScheduleRules.ValidateName(name);

    /// <summary>The schedule's name.</summary>
    [Id(0)] public string Name { get; }

    /// <summary>An id from a name (validated).</summary>
    public static ScheduleId FromString(string name) => new(name);

    /// <summary>An id from a name (validated), so calls can take the name directly.</summary>
    public static implicit operator ScheduleId(string name) => new(name);

    /// <inheritdoc />
    public override string ToString() => Name ?? "";
}
