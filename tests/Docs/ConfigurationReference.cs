using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace DistributedTaskQueue.Tests.Docs;

/// <summary>
/// Renders docs/configuration.md from the options classes themselves: every setting a silo binds, with its key, its
/// environment variable, its default (read from a new instance) and its XML doc summary. The test compares the file
/// with this rendering, so the reference cannot drift from the code.
/// </summary>
internal static class ConfigurationReference
{
    /// <summary>Where each part binds (see TaskQueueSiloExtensions.Bind): the root of TaskQueue, or a section of it.</summary>
    private static readonly (string Title, string? Section, Type Type, object Defaults)[] Parts =
    [
        ("Shared by clients and silos (`TaskQueueOptions`)", null, typeof(TaskQueueOptions), new TaskQueueOptions()),
        ("Queue partitions (`PartitionOptions`)", null, typeof(PartitionOptions), new PartitionOptions()),
        ("The silo host (`TaskQueueSiloOptions`)", null, typeof(TaskQueueSiloOptions), new TaskQueueSiloOptions()),
        ("The worker (`WorkerOptions`)", "Worker", typeof(WorkerOptions), new WorkerOptions()),
        ("Schedules (`ScheduleOptions`)", "Schedules", typeof(ScheduleOptions), new ScheduleOptions()),
        ("Failure detection (`FailureDetectionOptions`)", "FailureDetection", typeof(FailureDetectionOptions), new FailureDetectionOptions()),
        ("Health endpoints (`HealthOptions`)", "Health", typeof(HealthOptions), new HealthOptions()),
        ("Access to the API, dashboard and /metrics (`AccessOptions`)", "Access", typeof(AccessOptions), new AccessOptions()),
        ("The Orleans dashboard (`TaskQueueDashboardOptions`)", "Dashboard", typeof(TaskQueueDashboardOptions), new TaskQueueDashboardOptions()),
        ("Metrics and traces (`TaskQueueMetricsOptions`)", "Metrics", typeof(TaskQueueMetricsOptions), new TaskQueueMetricsOptions()),
    ];

    public static string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("# Configuration reference");
        text.AppendLine();
        text.AppendLine("Every setting a silo reads, from the `TaskQueue` configuration section (appsettings.json, command-line");
        text.AppendLine("`--TaskQueue:Key=value`, or the environment: `TaskQueue__Key`, sections joined by `__`). Each options class is");
        text.AppendLine("validated when the silo starts, and a bad value stops it with a message naming the key. Generated from the options");
        text.AppendLine("classes by `ConfigurationReferenceTests` (it fails when this file and the code differ, printing the file as it should read).");
        text.AppendLine("Clients (`TaskClient.ConnectAsync`, `AddTaskQueueClient`) read the first table only. The pod variables `POD_NAME`, `POD_IP`,");
        text.AppendLine("`ORLEANS_CLUSTER_ID` and `ORLEANS_SERVICE_ID` fill the worker id, advertised address and ids where these leave them unset.");
        foreach (var (title, section, type, defaults) in Parts)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
            text.AppendLine();
            text.AppendLine("| key | environment variable | default | meaning |");
            text.AppendLine("|---|---|---|---|");
            foreach (var row in Rows(section is null ? "TaskQueue" : $"TaskQueue:{section}", type, defaults))
                text.AppendLine(CultureInfo.InvariantCulture, $"| `{row.Key}` | `{row.Key.Replace(":", "__", StringComparison.Ordinal)}` | {row.Default} | {row.Meaning} |");
        }
        return text.ToString();
    }

    private static IEnumerable<(string Key, string Default, string Meaning)> Rows(string prefix, Type type, object defaults)
    {
        if (type == typeof(TaskQueueSiloOptions))
        {
            // Its sections and the two classes above have tables of their own; here only its own keys.
            foreach (var name in new[] { "SiloPort", "GatewayPort", "AdvertisedAddress", "RedisDurability" })
                yield return Row(prefix, type.GetProperty(name)!, defaults);
            yield break;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }).OrderBy(p => p.MetadataToken))
        {
            if (type == typeof(TaskQueueOptions) && property.Name == nameof(TaskQueueOptions.RedisConnectionString))
            {
                yield return ($"{prefix}:Redis", "(none: embedded)", "The Redis connection string (alias of RedisConnectionString); one server, or a cluster's primaries separated by commas.");
            }
            var value = property.GetValue(defaults);
            var element = ElementType(property.PropertyType);
            if (element is not null && IsComplex(element))
            {
                foreach (var inner in element.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null).OrderBy(p => p.MetadataToken))
                    yield return ($"{prefix}:{property.Name}:0:{inner.Name}", "", Summary(inner));
            }
            else if (IsComplex(property.PropertyType) && value is not null)
            {
                foreach (var inner in property.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null).OrderBy(p => p.MetadataToken))
                    yield return Row($"{prefix}:{property.Name}", inner, value);
            }
            else
            {
                yield return Row(prefix, property, defaults);
            }
        }
    }

    private static (string, string, string) Row(string prefix, PropertyInfo property, object owner)
    {
        var key = ElementType(property.PropertyType) is null ? $"{prefix}:{property.Name}" : $"{prefix}:{property.Name}:0";
        return (key, Format(property.GetValue(owner)), Summary(property));
    }

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null : type.IsArray ? type.GetElementType() : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;

    private static bool IsComplex(Type type) => type.IsClass && type != typeof(string);

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        string { Length: 0 } => "(empty)",
        string text => $"`{text}`",
        bool flag => flag ? "`true`" : "`false`",
        TimeSpan span => $"`{span.ToString("c", CultureInfo.InvariantCulture)}`",
        IEnumerable items => $"`{string.Join(", ", items.Cast<object>())}`",
        IFormattable formattable => $"`{formattable.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => $"`{value}`",
    };

    private static readonly Dictionary<Assembly, XDocument?> Docs = [];

    /// <summary>The property's XML doc summary, on one line, pipes escaped for the table.</summary>
    private static string Summary(PropertyInfo property)
    {
        var assembly = property.DeclaringType!.Assembly;
        if (!Docs.TryGetValue(assembly, out var doc))
        {
            var path = Path.ChangeExtension(assembly.Location, ".xml");
            Docs[assembly] = doc = File.Exists(path) ? XDocument.Load(path) : null;
        }
        var id = $"P:{property.DeclaringType.FullName}.{property.Name}";
        var member = doc?.Descendants("member").FirstOrDefault(m => (string?)m.Attribute("name") == id);
        var summary = member?.Element("summary");
        if (summary is null) return "";
        var text = string.Concat(summary.Nodes().Select(n => n is XElement e ? (string?)e.Attribute("cref") is { } cref ? cref[(cref.LastIndexOf('.') + 1)..] : (string?)e.Attribute("langword") ?? e.Value : n.ToString()));
        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|", StringComparison.Ordinal);
    }
}
