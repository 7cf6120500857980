using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace DistributedTaskQueue;

/// <summary>
/// Who is calling <c>/api</c> or <c>/dashboard</c>. With no key configured, a loopback caller is Admin and anyone else is
/// nobody; with keys, a caller is whoever its key names (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>), wherever it
/// calls from. "Loopback" is the connection's remote address (<see cref="ConnectionInfo.RemoteIpAddress"/>): behind a
/// reverse proxy on the same host every request looks local, so configure keys there. Refusals are problem details.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyRing keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string BearerPrefix = "Bearer ";
    private const string BasicPrefix = "Basic ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.IsEmpty)
        {
            // A loopback connection alone is not enough: a page on another site can rebind its own name to 127.0.0.1
            // (DNS rebinding) and would then call us as same-origin; its Host header still names that site.
            return Task.FromResult(IsLoopback(Context.Connection.RemoteIpAddress) && IsLoopbackHost(Request.Host)
                ? Success("loopback", AccessRole.Admin)
                : AuthenticateResult.NoResult());
        }
        if (PresentedKey(Request) is not { } presented) return Task.FromResult(AuthenticateResult.NoResult());
        if (keys.Match(presented) is not { } holder)
        {
            LogRefusedKey(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown", Request.Method, Request.Path);
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }
        return Task.FromResult(Success(holder.Name, holder.Role));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        string detail;
        if (keys.IsEmpty && IsLoopback(Context.Connection.RemoteIpAddress) && !IsLoopbackHost(Request.Host))
            detail = "Without an API key this silo answers loopback callers only when they name it as localhost, 127.0.0.1 or [::1] (the Host header); configure TaskQueue:Access:Keys to call it by another name.";
        else if (keys.IsEmpty) detail = "This silo answers only loopback callers until an API key is configured (TaskQueue:Access:Keys).";
        else if (PresentedKey(Request) is null) detail = $"Send an API key as 'Authorization: Bearer <key>' or '{AccessPolicy.ApiKeyHeader}: <key>'.";
        else detail = "The API key is not valid.";
        // Basic too once keys exist: a browser cannot add a Bearer header to the dashboard's page, but prompts for Basic.
        Response.Headers.WWWAuthenticate = keys.IsEmpty ? new StringValues("Bearer") : new StringValues(["Bearer", "Basic realm=\"DistributedTaskQueue\", charset=\"UTF-8\""]);
        await ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail).ExecuteAsync(Context).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirst(ClaimTypes.Role)?.Value ?? "none";
        await ApiProblems.Problem(StatusCodes.Status403Forbidden, "Forbidden",
            $"This key's role ({role}) may read but not act: {Request.Method} needs an Admin key.").ExecuteAsync(Context).ConfigureAwait(false);
    }

    /// <summary>
    /// The key a request carries: a Bearer token, the password of Basic credentials (what a browser sends after its
    /// prompt; the user name is ignored), else the X-Api-Key header; null when it carries none.
    /// </summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[BearerPrefix.Length..].Trim();
            if (token.Length > 0) return token;
        }
        if (authorization.StartsWith(BasicPrefix, StringComparison.OrdinalIgnoreCase) && BasicPassword(authorization[BasicPrefix.Length..].Trim()) is { Length: > 0 } password)
            return password;
        var header = request.Headers[AccessPolicy.ApiKeyHeader].ToString().Trim();
        return header.Length > 0 ? header : null;
    }

    private static string? BasicPassword(string credentials)
    {
        var bytes = new byte[credentials.Length];
        if (!Convert.TryFromBase64String(credentials, bytes, out var length)) return null;
        var text = System.Text.Encoding.UTF8.GetString(bytes, 0, length);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : text[(colon + 1)..];
    }

    /// <summary>
    /// The Host a keyless loopback caller may name: <c>localhost</c> (and <c>*.localhost</c>, which resolve to loopback
    /// only, RFC 6761), a loopback address, or none (HTTP/1.0; browsers always send one).
    /// </summary>
    internal static bool IsLoopbackHost(HostString host)
    {
        if (!host.HasValue) return true;
        var name = host.Host.Trim('[', ']');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>127.0.0.0/8 and ::1, also as IPv4 mapped to IPv6; no address (not a TCP connection) is not loopback.</summary>
    internal static bool IsLoopback(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return IPAddress.IsLoopback(address);
    }

    private AuthenticateResult Success(string name, AccessRole role)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.ToString())], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an unknown API key from {RemoteAddress} for {Method} {Path}")]
    private static partial void LogRefusedKey(ILogger logger, string remoteAddress, string method, string path);
}
