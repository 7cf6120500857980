using System.Reflection;

namespace DistributedTaskQueue.Bench;

/// <summary>Which source the bench (and the silo built with it) came from: stamped at build time by Bench.csproj.</summary>
internal static class BuildInfo
{
    public static string Commit => Metadata("SourceCommit");

    /// <summary>Files under src/ with uncommitted changes when the bench was built (another engineer may be editing).</summary>
    public static string DirtyFiles => Metadata("SourceDirty");

    private static string Metadata(string key) =>
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value ?? "unknown";
}
