using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>Writes a <see cref="TaskId"/> as its text form in JSON.</summary>
public sealed class TaskIdJsonConverter : JsonConverter<TaskId>
{
    /// <inheritdoc />
    public override TaskId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TaskId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("Not a task id.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TaskId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
