using System.Globalization;
using System.Text.RegularExpressions;

namespace DistributedTaskQueue;

/// <summary>Rules for queue names, shared by the client (refuse early) and the silo (refuse for sure).</summary>
public static partial class QueueNames
{
    /// <summary>The queue used when none is named.</summary>
    public const string Default = "default";

    /// <summary>Letters, digits, '_', '-' and '.', starting with a letter or digit, at most 100 characters.</summary>
    public static bool IsValid(string? name) => name is not null && ValidName().IsMatch(name);

    /// <summary>Throws <see cref="InvalidTaskException"/> naming the problem when <paramref name="name"/> is not a valid queue name.</summary>
    public static string Validate(string? name) =>
        IsValid(name)
            ? name!
            : throw new InvalidTaskException("Queue", $"Invalid queue name '{name}': use 1-100 letters, digits, '_', '-' or '.', starting with a letter or digit.");

    /// <summary>The grain key of one partition of a queue.</summary>
    public static string PartitionKey(string queue, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{queue}:{partition}");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();
}
