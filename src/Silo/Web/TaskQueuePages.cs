// The queue pages: static HTML, CSS and JavaScript modules checked in under Web/Pages and embedded in this assembly, so a
// silo serves them with no build step, no second port and nothing fetched from elsewhere. They only call /api (same
// origin) and show everything through textContent; the Content-Security-Policy below lets nothing else run.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace DistributedTaskQueue;

/// <summary>Serves the queue pages under <c>/ui/</c>, behind the same access rules as <c>/api</c>.</summary>
public static class TaskQueuePages
{
    /// <summary>The path the pages are served under.</summary>
    public const string RoutePrefix = "/ui";

    /// <summary>
    /// Scripts, styles and calls only from this silo, no inline script or style, no plugins, no framing (clickjacking
    /// of the action buttons), no form posts anywhere.
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly ManifestEmbeddedFileProvider Files = new(typeof(TaskQueuePages).Assembly, "Web/Pages");
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Maps <c>/ui</c> (a redirect) and <c>/ui/{file}</c> (<c>index.html</c> for <c>/ui/</c>).</summary>
    public static IEndpointRouteBuilder MapTaskQueuePages(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var pages = endpoints.MapGroup(RoutePrefix).RequireAuthorization(AccessPolicy.Name);
        pages.MapGet("/{**file}", (string? file, HttpContext http) => Serve(file, http));
        return endpoints;
    }

    private static IResult Serve(string? file, HttpContext http)
    {
        // Without the slash the pages' relative links would resolve against the site's root.
        if (string.IsNullOrEmpty(file) && !http.Request.Path.Value!.EndsWith('/'))
            return Results.Redirect($"{http.Request.PathBase}{RoutePrefix}/");
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Checked with the silo on every load, so a new version is picked up at once after an upgrade.
        headers.CacheControl = "no-cache";
        var path = string.IsNullOrEmpty(file) ? "index.html" : file;
        var info = Files.GetFileInfo(path);
        if (!info.Exists || info.IsDirectory || !ContentTypes.TryGetContentType(path, out var contentType))
            return ApiProblems.Problem(StatusCodes.Status404NotFound, "Not found", $"The queue pages have no file '{path}'.");
        return Results.Stream(info.CreateReadStream(), contentType, lastModified: info.LastModified,
            entityTag: new EntityTagHeaderValue($"\"{info.LastModified.ToUnixTimeSeconds():x}-{info.Length:x}\""));
    }
}
