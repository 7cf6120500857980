using System.Globalization;
using System.Text.Json;

namespace DistributedTaskQueue.Cli;

/// <summary>Text for people, or (with <c>--json</c>) exactly one JSON document on stdout in the same shape as the silo's HTTP API.</summary>
internal sealed class CliOutput(TextWriter writer, bool json)
{
    private static readonly JsonSerializerOptions JsonOptions = new(TaskJson.Options)
    {
        WriteIndented = true,
        // A terminal or a script reads this, never an HTML page: keep quotes in results readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public bool Json => json;

    /// <summary>Writes <paramref name="value"/> as JSON, or calls <paramref name="text"/> for the people's form.</summary>
    public void Write<T>(T value, Action<TextWriter> text)
    {
        if (json) writer.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
        else text(writer);
    }

    /// <summary>Aligned "name  value" rows, skipping empty values.</summary>
    public static void Rows(TextWriter writer, params (string Name, object? Value)[] rows)
    {
        var width = rows.Max(r => r.Name.Length) + 2;
        foreach (var (name, value) in rows)
        {
            var shown = Format(value);
            if (shown.Length == 0) continue;
            writer.Write(name.PadRight(width));
            writer.WriteLine(shown);
        }
    }

    public static string Format(object? value) => value switch
    {
        null => "",
        DateTimeOffset time => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
