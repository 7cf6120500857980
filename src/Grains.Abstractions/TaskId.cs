using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>
/// Identifies a task. It names the queue partition that owns the task and the task's sequence number
/// there, so status, wait and cancel go straight to the owner without a lookup. Text form: <c>queue:partition:sequence</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskId")]
[JsonConverter(typeof(TaskIdJsonConverter))]
public readonly record struct TaskId(
    [property: Id(0)] string Queue,
    [property: Id(1)] int Partition,
    [property: Id(2)] long Sequence)
{
    /// <summary>The key of the queue partition grain that owns this task.</summary>
    public string PartitionKey => QueueNames.PartitionKey(Queue, Partition);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Queue}:{Partition}:{Sequence}");

    /// <summary>Parses the text form; throws <see cref="FormatException"/> when it is not one.</summary>
    public static TaskId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a task id (expected queue:partition:sequence).");

    /// <summary>Parses the text form.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out TaskId id)
    {
        id = default;
        if (text is null) return false;
        var last = text.LastIndexOf(':');
        if (last <= 0) return false;
        var middle = text.LastIndexOf(':', last - 1);
        if (middle <= 0) return false;
        var queue = text[..middle];
        if (!QueueNames.IsValid(queue)) return false;
        if (!int.TryParse(text.AsSpan(middle + 1, last - middle - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)) return false;
        if (!long.TryParse(text.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) return false;
        id = new TaskId(queue, partition, sequence);
        return true;
    }
}
