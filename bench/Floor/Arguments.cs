using System.Globalization;

namespace DistributedTaskQueue.Floor;

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) values[args[i]] = args[i + 1];
        return new Arguments(values);
    }

    public string Get(string key) => values.TryGetValue(key, out var v) ? v : throw new ArgumentException($"{key} is missing.");

    public string? Find(string key) => values.GetValueOrDefault(key);

    public int Int(string key, int fallback) => values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
