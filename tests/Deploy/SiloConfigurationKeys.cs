using System.Reflection;

namespace DistributedTaskQueue.Tests.Deploy;

/// <summary>
/// Whether an environment variable is one the silo reads: a <c>TaskQueue__</c> key that binds to a property of the silo's
/// options (resolved from the options types themselves, so the check cannot drift from them), or a pod variable.
/// </summary>
internal static class SiloConfigurationKeys
{
    private static readonly HashSet<string> Others = new(StringComparer.Ordinal)
    {
        PodEnvironment.PodName, PodEnvironment.PodNamespace, PodEnvironment.PodIP, PodEnvironment.ClusterId, PodEnvironment.ServiceId,
        "ASPNETCORE_HTTP_PORTS", "DOTNET_gcServer",
    };

    public static bool IsRead(string variable)
    {
        if (Others.Contains(variable)) return true;
        const string prefix = "TaskQueue__";
        if (!variable.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var path = variable[prefix.Length..].Split("__");
        if (path is ["Redis"]) return true;
        // A section of its own (Worker, Schedules, Health, ...): the rest of the key names a property inside it.
        var section = typeof(TaskQueueSiloOptions).GetProperty(path[0]);
        if (section is not null && section.PropertyType.IsClass && section.PropertyType != typeof(string))
            return path.Length > 1 && Resolves(section.PropertyType, path[1..]);
        // Otherwise a top-level key: the shared client options, the partitions', or the silo's own (ports, address).
        return path.Length == 1 && (Has(typeof(TaskQueueOptions), path[0]) || Has(typeof(PartitionOptions), path[0]) || (section is { CanWrite: true } && path[0] is not ("Options" or "Partitions")));
    }

    private static bool Resolves(Type type, string[] path)
    {
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance);
        if (property is null) return false;
        if (path.Length == 1) return true;
        // A list's element by index (Queues__0).
        return path.Length == 2 && int.TryParse(path[1], out _) && property.PropertyType != typeof(string)
            && typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType);
    }

    private static bool Has(Type type, string name) => type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is not null;
}
