using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace DistributedTaskQueue;

/// <summary>Maps the JSON API, the health endpoints and the Orleans dashboard on a silo's web app in one call.</summary>
public static class TaskQueueDashboard
{
    /// <summary>The path the dashboard is served under.</summary>
    public const string RoutePrefix = "/dashboard";

    /// <summary>
    /// Maps everything <see cref="TaskQueueApi.MapTaskQueueApi"/> maps, the queue pages under <c>/ui/</c> (<see cref="TaskQueuePages"/>), <c>/metrics</c> for Prometheus (<c>TaskQueue:Metrics</c>), and the Orleans dashboard under <c>/dashboard</c>
    /// when the silo collects its data (<c>TaskQueue:Dashboard:Enabled</c>, on by default), behind the same access rules as <c>/api</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapTaskQueueDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapTaskQueueApi();
        endpoints.MapTaskQueuePages();
        var settings = endpoints.ServiceProvider.GetService<TaskQueueSiloOptions>();
        // Queue and task names are the deployment's business: Prometheus scrapes with a key (a bearer token) like any caller.
        if (settings?.Metrics is { Enabled: true, Prometheus: true })
            endpoints.MapPrometheusScrapingEndpoint(TaskQueueTelemetry.MetricsPath).RequireAuthorization(AccessPolicy.Name);
        if (settings?.Dashboard.Enabled != true) return endpoints;
        var assets = endpoints.ServiceProvider.GetService<DashboardAssets>();
        // Whether grain calls are timed for it: the package's filter is registered, wrapped or as it came.
        var profiling = endpoints.ServiceProvider.GetServices<IIncomingGrainCallFilter>().Any(DashboardCallFilter.TimesCalls);
        var dashboard = (assets is null ? endpoints.MapOrleansDashboard(RoutePrefix) : assets.MapDeferred(() => endpoints.MapOrleansDashboard(RoutePrefix)))
            .RequireAuthorization(AccessPolicy.Name);
        // The dashboard can read any grain's state (a schedule's payload) and stream the silo's log: contents, which a
        // ReadOnly key sees only when it may see payloads.
        ((IEndpointConventionBuilder)dashboard).Add(endpoint =>
        {
            if (endpoint is not RouteEndpointBuilder { RoutePattern.RawText: { } route }) return;
            if (ContentRoutes.Any(r => route.EndsWith(r, StringComparison.OrdinalIgnoreCase)))
                endpoint.Metadata.Add(new AuthorizeAttribute(AccessPolicy.Contents));
            // Its page links to the queue pages (theirs link back).
            if (DashboardPagesLink.IsIndex(route) && endpoint.RequestDelegate is { } page)
                endpoint.RequestDelegate = DashboardPagesLink.Wrap(page, profiling);
            // The page's files are read when someone first asks for the dashboard.
            if (assets is not null && endpoint.RequestDelegate is { } serve)
                endpoint.RequestDelegate = context => { assets.EnsureLoaded(); return serve(context); };
        });
        return endpoints;
    }

    private static readonly string[] ContentRoutes = ["/GrainState", "/Trace"];
}
