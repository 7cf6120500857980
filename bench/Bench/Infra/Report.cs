using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>
/// One scenario's results: figures (median/min/max over runs, unit in the name) for the JSON file, and rows for
/// the console table.
/// </summary>
internal sealed class Report(string scenario)
{
    private readonly JsonObject _root = new();
    private readonly List<(string Figure, string Median, string Min, string Max)> _rows = [];

    public string Scenario { get; } = scenario;

    public JsonObject Root => _root;

    /// <summary>Set by a scenario whose figures missed a target it asserts: the run is written, then fails.</summary>
    public string? Failure { get; set; }

    /// <summary>Adds a figure under <paramref name="path"/> (dot-separated, e.g. "concurrency_8.batch_tasks_per_sec").</summary>
    public void Add(string path, Summary summary, int decimals = 1)
    {
        var node = new JsonObject
        {
            ["median"] = Round(summary.Median, decimals),
            ["min"] = Round(summary.Min, decimals),
            ["max"] = Round(summary.Max, decimals),
            ["runs"] = new JsonArray(summary.Runs.Select(r => (JsonNode?)JsonValue.Create(Round(r, decimals))).ToArray()),
        };
        Set(path, node);
        _rows.Add((path, Format(summary.Median, decimals), Format(summary.Min, decimals), Format(summary.Max, decimals)));
    }

    /// <summary>Adds a plain value (settings, notes).</summary>
    public void Set(string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = _root;
        foreach (var part in parts[..^1])
        {
            if (parent[part] is not JsonObject child)
            {
                child = new JsonObject();
                parent[part] = child;
            }
            parent = child;
        }
        parent[parts[^1]] = value;
    }

    public void Print(TextWriter writer)
    {
        var width = Math.Max("figure".Length, _rows.Count == 0 ? 0 : _rows.Max(r => r.Figure.Length));
        var w2 = Math.Max(10, _rows.Count == 0 ? 0 : _rows.Max(r => Math.Max(r.Median.Length, Math.Max(r.Min.Length, r.Max.Length))));
        writer.WriteLine();
        writer.WriteLine($"== {Scenario} ==");
        writer.WriteLine($"{"figure".PadRight(width)}  {"median".PadLeft(w2)}  {"min".PadLeft(w2)}  {"max".PadLeft(w2)}");
        writer.WriteLine(new string('-', width + 3 * (w2 + 2)));
        foreach (var (figure, median, min, max) in _rows)
            writer.WriteLine($"{figure.PadRight(width)}  {median.PadLeft(w2)}  {min.PadLeft(w2)}  {max.PadLeft(w2)}");
        writer.WriteLine();
    }

    /// <summary>Writes <c>&lt;directory&gt;/&lt;scenario&gt;.json</c> atomically (temp file, then rename).</summary>
    public async Task<string> WriteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Scenario + ".json");
        var temp = path + ".tmp";
        var text = _root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        await File.WriteAllTextAsync(temp, text, cancellationToken);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static double Round(double value, int decimals) => double.IsFinite(value) ? Math.Round(value, decimals) : -1;

    private static string Format(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";
}
