using System.CommandLine.Parsing;
using System.Globalization;

namespace DistributedTaskQueue.Cli;

/// <summary>Durations as people type them: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or a TimeSpan such as <c>00:01:30</c>.</summary>
internal static class Durations
{
    private static readonly (string Suffix, double Milliseconds)[] Units =
        [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        foreach (var (suffix, milliseconds) in Units)
        {
            if (!text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            var number = text[..^suffix.Length];
            // "5ms" must not be read as "5m" + "s": the longer suffix comes first above.
            // NaN and infinities parse as doubles too; TimeSpan refuses them with an exception, so refuse them here.
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) || !double.IsFinite(count)) return false;
            var total = count * milliseconds;
            if (total > TimeSpan.MaxValue.TotalMilliseconds) return false;
            value = TimeSpan.FromMilliseconds(total);
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    /// <summary>System.CommandLine's parser for a duration option: a typed error naming the option instead of an exception.</summary>
    public static TimeSpan ParseArgument(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var value)) return value;
        result.AddError($"'{text}' is not a duration (examples: 250ms, 30s, 5m, 2h, 1d, 00:01:30).");
        return default;
    }

    public static TimeSpan? ParseOptional(ArgumentResult result) => ParseArgument(result);
}
