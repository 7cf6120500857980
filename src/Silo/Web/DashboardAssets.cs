// Orleans.Dashboard 10.4.2 serves its page from files embedded in its assembly through EmbeddedAssetProvider, whose
// constructor (run when the dashboard is mapped, at silo start) reads every one of them into memory and gzips each:
// 17 MB, 13 MB of it the script's source map, which the page never asks for. Measured on the silo: that start cost
// ~0.5 s of CPU, idle RSS grew by tens of MB, and with the assets mapped single submits ran 15-20 % slower (bench
// `throughput --tasks 200000`, the dashboard's services on in both). The package has no option for it, and the type is
// internal, so this fills the provider's one field itself, on the first dashboard request, without the source map.
// If a later package changes the type, TryDefer says no and the stock provider is used unchanged.
using System.Collections;
using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace DistributedTaskQueue;

/// <summary>Loads the Orleans dashboard's page files on the first dashboard request instead of at silo start, minus its source map.</summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "Orleans.Dashboard.wwwroot.";

    private static readonly Type? ProviderType = typeof(DashboardOptions).Assembly.GetType("Orleans.Dashboard.EmbeddedAssetProvider");
    private static readonly FieldInfo? CacheField = ProviderType?.GetField("_resourceCache", BindingFlags.Instance | BindingFlags.NonPublic);
    private static readonly MethodInfo? CreateEntry = ProviderType?.GetMethod("CreateResourceEntry", BindingFlags.Static | BindingFlags.NonPublic, [typeof(string)]);

    private readonly Lock _gate = new();
    private volatile bool _loaded;
    private bool _mapping;

    private DashboardAssets(object provider) => Provider = provider;

    /// <summary>The provider the dashboard's routes serve from: created without running its constructor.</summary>
    public object Provider { get; }

    /// <summary>Whether the files were read (the first dashboard request did it).</summary>
    public bool IsLoaded => _loaded;

    /// <summary>
    /// Replaces the dashboard's provider registration (after <c>AddDashboard</c>) with one whose files load on
    /// <see cref="EnsureLoaded"/>, and registers this; false, changing nothing, when the package's type is not the one expected.
    /// </summary>
    public static bool TryDefer(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (ProviderType is null || CreateEntry is null || CacheField is not { FieldType: { IsGenericType: true } cacheType }
            || cacheType.GetGenericTypeDefinition() != typeof(FrozenDictionary<,>) || cacheType.GetGenericArguments()[0] != typeof(string)
            || cacheType.GetGenericArguments()[1] != CreateEntry.ReturnType)
            return false;
        var registered = services.FirstOrDefault(d => d.ServiceType == ProviderType);
        if (registered is null) return false;
        services.Remove(registered);
        var assets = new DashboardAssets(RuntimeHelpers.GetUninitializedObject(ProviderType));
        services.AddSingleton(assets);
        // Transient, so every mapping asks: only routes mapped through MapDeferred load the files before serving them. The
        // package's MapOrleansDashboard called by the host itself (a second path, or instead of ours) would serve from an
        // empty provider, so it gets the files loaded at once, as the stock provider has them.
        services.AddTransient(ProviderType, _ => assets.ForMapping());
        return true;
    }

    /// <summary>
    /// Runs <paramref name="map"/> (the package's MapOrleansDashboard) handing it the provider still empty: the caller
    /// makes each of the routes it maps call <see cref="EnsureLoaded"/> first. Mapping runs once, on the thread building the app.
    /// </summary>
    public T MapDeferred<T>(Func<T> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _mapping = true;
        try
        {
            return map();
        }
        finally
        {
            _mapping = false;
        }
    }

    private object ForMapping()
    {
        if (!_mapping) EnsureLoaded();
        return Provider;
    }

    /// <summary>Reads the page's files into the provider once; later calls return at once.</summary>
    public void EnsureLoaded()
    {
        if (_loaded) return;
        lock (_gate)
        {
            if (_loaded) return;
            var entryType = CreateEntry!.ReturnType;
            var entries = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), entryType), StringComparer.OrdinalIgnoreCase)!;
            foreach (var name in ProviderType!.Assembly.GetManifestResourceNames())
            {
                // Source maps are for debugging the dashboard's own script; the page never requests them.
                if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || name.EndsWith(".map", StringComparison.OrdinalIgnoreCase)) continue;
                entries[name[ResourcePrefix.Length..]] = CreateEntry.Invoke(null, [name]);
            }
            var freeze = typeof(FrozenDictionary).GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Single(m => m.Name == nameof(FrozenDictionary.ToFrozenDictionary) && m.GetGenericArguments().Length == 2 && m.GetParameters().Length == 2)
                .MakeGenericMethod(typeof(string), entryType);
            CacheField!.SetValue(Provider, freeze.Invoke(null, [entries, StringComparer.OrdinalIgnoreCase]));
            _loaded = true;
        }
    }
}
