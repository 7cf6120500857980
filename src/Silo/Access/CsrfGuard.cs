// A browser authenticates to /api ambiently: on loopback nothing is asked while no key is configured, and Basic
// credentials are resent by the browser on every request. So any page the browser opens could post to /api. An unsafe
// request that is authenticated that way and that carries what only browsers send (Origin, Sec-Fetch-Site, a Cookie)
// must come from our own origin and carry the antiforgery token of GET /api/csrf. curl, the CLI and key-header callers
// carry none of that and are untouched: a key in a header is never sent by a browser on its own.
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace DistributedTaskQueue;

/// <summary>The CSRF rule of <c>/api</c>, as an endpoint filter on its route group.</summary>
internal static class CsrfGuard
{
    /// <summary>The header that carries the antiforgery token.</summary>
    public const string HeaderName = "X-CSRF-TOKEN";

    /// <summary>The antiforgery cookie's name.</summary>
    public const string CookieName = "dtq.antiforgery";

    private const string BearerPrefix = "Bearer ";

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (IsSafe(request.Method) || !IsAmbient(request) || !LooksLikeABrowser(request)) return await next(context);

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsSameOrigin(origin, request) && !IsNulledSameOrigin(origin, request))
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, "Cross-origin request refused",
                $"CSRF rule: a browser's cross-origin {request.Method} (Origin '{origin}') is refused; only pages served by this silo ({request.Scheme}://{request.Host}) may act " +
                $"without an API key. Scripts and tools send a key in '{AccessPolicy.ApiKeyHeader}' or 'Authorization: Bearer'.");
        }
        if (!await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, "Antiforgery token required",
                $"CSRF rule: a browser's {request.Method} authenticated by loopback or Basic credentials must carry the token of GET /api/csrf in the " +
                $"'{HeaderName}' header, with the cookie that route sets; this request's token is missing, or does not match its cookie or caller. " +
                $"Scripts and tools send a key in '{AccessPolicy.ApiKeyHeader}' or 'Authorization: Bearer' instead.");
        }
        return await next(context);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>No key in a header a browser never adds by itself: loopback without keys, or Basic credentials.</summary>
    private static bool IsAmbient(HttpRequest request)
    {
        if (request.Headers[AccessPolicy.ApiKeyHeader].ToString().Trim().Length > 0) return false;
        return !request.Headers[HeaderNames.Authorization].ToString().StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
    }

    private static bool LooksLikeABrowser(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderNames.Origin) || request.Headers.ContainsKey("Sec-Fetch-Site") || request.Headers.ContainsKey(HeaderNames.Cookie);

    /// <summary>
    /// Under the pages' <c>Referrer-Policy: no-referrer</c> a browser following the Fetch standard (Firefox) sends the
    /// pages' own POSTs with <c>Origin: null</c>; <c>Sec-Fetch-Site</c>, which no script can set, still says same-origin.
    /// The token is asked for all the same.
    /// </summary>
    private static bool IsNulledSameOrigin(string origin, HttpRequest request) =>
        origin == "null" && request.Headers["Sec-Fetch-Site"].ToString() == "same-origin";

    /// <summary>The Origin's host and port are the ones the request was sent to ("null", an opaque origin, never is).</summary>
    private static bool IsSameOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !request.Host.HasValue) return false;
        var port = request.Host.Port ?? (uri.Scheme == "https" ? 443 : 80);
        // Uri keeps an IPv6 host's brackets and HostString may or may not: compare without them.
        return string.Equals(uri.Host.Trim('[', ']'), request.Host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && uri.Port == port;
    }
}
