using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>
/// The one JSON dialect for payloads and results (web defaults: camelCase, case-insensitive reads), so a
/// task submitted from C#, the CLI or the HTTP API is the same task.
/// </summary>
public static class TaskJson
{
    /// <summary>The shared serializer options. Do not mutate.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serializes a payload or result to UTF-8 JSON.</summary>
    public static byte[] Serialize(object? value, Type type) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    /// <summary>Deserializes UTF-8 JSON.</summary>
    public static T? Deserialize<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>What kind of JSON value these bytes hold (object, array, string, number, true, false, null), for messages.</summary>
    public static string KindOf(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read()) return "value";
        }
        catch (JsonException)
        {
            return "value";
        }
        return reader.TokenType switch
        {
            JsonTokenType.StartObject => "object",
            JsonTokenType.StartArray => "array",
            JsonTokenType.String => "string",
            JsonTokenType.Number => "number",
            JsonTokenType.True or JsonTokenType.False => "boolean",
            JsonTokenType.Null => "null",
            _ => "value",
        };
    }
}
