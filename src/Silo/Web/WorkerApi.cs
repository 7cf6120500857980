using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DistributedTaskQueue;

/// <summary>The cluster's workers on the JSON API: <c>GET /api/workers</c> (this silo's own stays <c>GET /api/worker</c>).</summary>
internal static class WorkerApi
{
    /// <summary>Maps the routes on the <c>/api</c> group, behind its access rules and problem details.</summary>
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/workers", async (TaskClient client) => Results.Json(await client.ListWorkersAsync(), TaskJson.Options));
}
