// Orleans.Dashboard 10.4.2 registers a grain-call filter (GrainProfilerFilter) that wraps every grain call in an async
// method, to time it for everything the dashboard shows about grain calls (the overview's request and latency
// charts, the Grains page's call columns, the method pages). Profiling is on only while someone has the dashboard open (the
// package turns it off after a minute without queries), yet the wrapper runs on every call regardless: one more
// state machine, and one more continuation through the activation's scheduler whenever the call completes later. The
// bench put the dashboard alone at 0.82-0.94 of "off" under load (issue 9). This filter calls the grain directly while
// profiling is off and the dashboard's own filter while it is on, so those views are what they were.
// Even so, a watched silo under load spent ~5 % of its CPU in the timing and in the per-call invoker object Orleans
// builds whenever any incoming filter is registered (perf, issue 9), so by default (TaskQueue:Dashboard:
// ProfileGrainMethods false) TryRemove drops the package's filter and those views stay empty.
// The profiler and the filter are internal types: if a later package changes them, TryInstall and TryRemove say no
// and the package's filter stays as it is.
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace DistributedTaskQueue;

/// <summary>Skips the Orleans dashboard's grain-call profiling filter while its profiling is off.</summary>
internal sealed class DashboardCallFilter(IIncomingGrainCallFilter profiling, Func<bool> isProfiling) : IIncomingGrainCallFilter
{
    private static readonly Assembly Package = typeof(DashboardOptions).Assembly;
    private static readonly Type? FilterType = Package.GetType("Orleans.Dashboard.Implementation.GrainProfilerFilter");
    private static readonly Type? ProfilerType = Package.GetType("Orleans.Dashboard.Metrics.IGrainProfiler");
    private static readonly MethodInfo? IsEnabledGetter = ProfilerType?.GetProperty("IsEnabled", BindingFlags.Instance | BindingFlags.Public)?.GetGetMethod();

    public Task Invoke(IIncomingGrainCallContext context) => isProfiling() ? profiling.Invoke(context) : context.Invoke();

    /// <summary>Whether <paramref name="filter"/> times grain calls for the dashboard: the package's filter, or ours wrapping it.</summary>
    public static bool TimesCalls(IIncomingGrainCallFilter filter) => filter is DashboardCallFilter || (FilterType is not null && filter.GetType() == FilterType);

    /// <summary>
    /// Removes the package's filter registration (after <c>AddDashboard</c>): with no incoming filter at all, Orleans
    /// invokes each grain method directly instead of through a per-call invoker object. False, changing nothing, when
    /// the package registers no filter of the type expected.
    /// </summary>
    public static bool TryRemove(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (FilterType is null) return false;
        var removed = false;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var service = services[i];
            if (service.ServiceType != typeof(IIncomingGrainCallFilter) || service.IsKeyedService) continue;
            // The package's own registration, or ours wrapping it (a host that asked for profiling, then not).
            if (service.ImplementationType != FilterType && service.ImplementationFactory != (object)Wrapper) continue;
            services.RemoveAt(i);
            removed = true;
        }
        return removed;
    }

    /// <summary>
    /// Replaces the package's filter registration (after <c>AddDashboard</c>) in place, so the filter order is kept;
    /// false, changing nothing, when the package's types are not the ones expected.
    /// </summary>
    public static bool TryInstall(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (FilterType is null || ProfilerType is null || IsEnabledGetter?.ReturnType != typeof(bool)) return false;
        if (!typeof(IIncomingGrainCallFilter).IsAssignableFrom(FilterType)) return false;
        var index = -1;
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IIncomingGrainCallFilter) && !services[i].IsKeyedService && services[i].ImplementationType == FilterType) index = i;
        }
        if (index < 0) return false;
        services.AddSingleton(FilterType);
        services[index] = new ServiceDescriptor(typeof(IIncomingGrainCallFilter), Wrapper, ServiceLifetime.Singleton);
        return true;
    }

    /// <summary>The factory of the wrapping registration: one instance, so <see cref="TryRemove"/> can recognise it.</summary>
    private static readonly Func<IServiceProvider, object> Wrapper = sp =>
    {
        var profiler = sp.GetRequiredService(ProfilerType!);
        var isProfiling = (Func<bool>)Delegate.CreateDelegate(typeof(Func<bool>), profiler, IsEnabledGetter!);
        return new DashboardCallFilter((IIncomingGrainCallFilter)sp.GetRequiredService(FilterType!), isProfiling);
    };
}
