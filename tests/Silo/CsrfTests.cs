using System.Net;
using System.Text;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// A browser authenticates to /api ambiently (loopback without keys, or Basic credentials it resends), so any page it
/// opens could post there: an unsafe request that looks like a browser's needs the antiforgery token of GET /api/csrf.
/// Each request here goes through its own cookie-less client: the fixtures' shared client keeps cookies, and a stored
/// antiforgery cookie would make the other tests' requests look like a browser's.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class CsrfTests(LoopbackWebSilo loopback, KeyedWebSilo keyed) : IClassFixture<LoopbackWebSilo>, IClassFixture<KeyedWebSilo>
{
    private static readonly string RetryPath = $"/api/queues/{LoopbackWebSilo.Queue}/dead/retry";

    [Fact]
    public async Task ACrossSiteFormPost_FromLoopback_IsRefused_NamingTheRule()
    {
        using var request = FormPost(RetryPath, origin: "http://attacker.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var response = await Send(loopback.Silo, request);
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("cross-origin", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Origin")]
    [InlineData("Sec-Fetch-Site")]
    [InlineData("Cookie")]
    public async Task ASameOriginBrowserPost_WithoutAToken_IsRefused_NamingTheHeader(string browserHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, RetryPath);
        request.Headers.Add(browserHeader, browserHeader switch
        {
            "Origin" => Origin(loopback.Silo),
            "Sec-Fetch-Site" => "same-origin",
            _ => "session=1",
        });
        using var response = await Send(loopback.Silo, request);
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("X-CSRF-TOKEN", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:{port}", "http://localhost:{port}")]
    [InlineData("LOCALHOST:{port}", "http://localhost:{port}")]
    [InlineData("[::1]:{port}", "http://[::1]:{port}")]
    [InlineData("localhost", "http://localhost")]          // default ports (another name would be refused before this
    [InlineData("dtq.localhost:443", "https://dtq.localhost")] // rule without a key: LoopbackAccessTests, DNS rebinding)
    public async Task TheOriginIsCompared_ByHostAndPort_SoEveryWayOfNamingTheSiloIsSameOrigin(string host, string origin)
    {
        var port = loopback.Silo.Http.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = FormPost(RetryPath, origin: origin.Replace("{port}", port, StringComparison.Ordinal));
        request.Headers.Host = host.Replace("{port}", port, StringComparison.Ordinal);
        using var response = await Send(loopback.Silo, request);
        // Past the origin rule, refused only for want of a token.
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("Antiforgery token required", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("http://127.0.0.2:{port}")]
    [InlineData("file://")]
    [InlineData("null")]
    public async Task AnotherHostPortOrSchemeOfOrigin_IsCrossOrigin(string origin)
    {
        var port = loopback.Silo.Http.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = FormPost(RetryPath, origin: origin.Replace("{port}", port, StringComparison.Ordinal));
        using var response = await Send(loopback.Silo, request);
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("Cross-origin request refused", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task WithTheTokenAndCookieOfApiCsrf_ASameOriginBrowserPost_IsAccepted()
    {
        var (token, cookie) = await CsrfAsync(loopback.Silo);

        using var request = FormPost(RetryPath, origin: Origin(loopback.Silo));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("X-CSRF-TOKEN", token);
        using var response = await Send(loopback.Silo, request);
        var body = await ApiAssert.OkAsync(response);
        Assert.Equal(0, body.GetProperty("retried").GetInt32());
    }

    [Fact]
    public async Task ATokenWithoutItsCookie_OrAForgedToken_IsRefused()
    {
        var (token, cookie) = await CsrfAsync(loopback.Silo);

        using var noCookie = FormPost(RetryPath, origin: Origin(loopback.Silo));
        noCookie.Headers.Add("X-CSRF-TOKEN", token);
        using var refused = await Send(loopback.Silo, noCookie);
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);

        using var forged = FormPost(RetryPath, origin: Origin(loopback.Silo));
        forged.Headers.Add("Cookie", cookie);
        forged.Headers.Add("X-CSRF-TOKEN", "CfDJ8forged");
        using var refusedToo = await Send(loopback.Silo, forged);
        await ApiAssert.ProblemAsync(refusedToo, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ACrossOriginPost_IsRefused_EvenWithAValidToken()
    {
        var (token, cookie) = await CsrfAsync(loopback.Silo);
        using var request = FormPost(RetryPath, origin: "null");
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("X-CSRF-TOKEN", token);
        using var response = await Send(loopback.Silo, request);
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AKeyHeaderPost_NeedsNoToken_EvenFromABrowserLikeCaller()
    {
        foreach (var key in new Action<HttpRequestMessage>[]
                 {
                     r => r.Headers.Add(AccessPolicy.ApiKeyHeader, AccessKeys.Admin),
                     r => r.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessKeys.Admin),
                 })
        {
            using var request = FormPost($"/api/queues/{KeyedWebSilo.Queue}/dead/retry", origin: "http://attacker.example");
            request.Headers.Add("Cookie", "session=1");
            key(request);
            using var response = await Send(keyed.Silo, request);
            await ApiAssert.OkAsync(response);
        }
    }

    [Fact]
    public async Task BasicCredentials_AreAmbient_SoABrowserPostWithThemNeedsTheToken()
    {
        var basic = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + AccessKeys.Admin)));
        var path = $"/api/queues/{KeyedWebSilo.Queue}/dead/retry";

        using var bare = FormPost(path, origin: Origin(keyed.Silo));
        bare.Headers.Authorization = basic;
        using var refused = await Send(keyed.Silo, bare);
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);

        var (token, cookie) = await CsrfAsync(keyed.Silo, basic);
        using var withToken = FormPost(path, origin: Origin(keyed.Silo));
        withToken.Headers.Authorization = basic;
        withToken.Headers.Add("Cookie", cookie);
        withToken.Headers.Add("X-CSRF-TOKEN", token);
        using var accepted = await Send(keyed.Silo, withToken);
        await ApiAssert.OkAsync(accepted);
    }

    [Fact]
    public async Task ACallerWithoutBrowserHeaders_AsCurlAndTheCliSend_NeedsNoToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, RetryPath);
        using var response = await Send(loopback.Silo, request);
        await ApiAssert.OkAsync(response);
    }

    [Fact]
    public async Task Reads_NeedNoToken_FromABrowserEither()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/worker");
        request.Headers.Add("Origin", "http://attacker.example");
        request.Headers.Add("Cookie", "session=1");
        using var response = await Send(loopback.Silo, request);
        await ApiAssert.OkAsync(response);
    }

    private static string Origin(WebSilo silo) => silo.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);

    /// <summary>What a form on another page posts: urlencoded, with the page's origin.</summary>
    private static HttpRequestMessage FormPost(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("a=1", Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Add("Origin", origin);
        return request;
    }

    private static async Task<(string Token, string Cookie)> CsrfAsync(WebSilo silo, System.Net.Http.Headers.AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/csrf");
        request.Headers.Authorization = authorization;
        using var response = await Send(silo, request);
        var body = await ApiAssert.OkAsync(response);
        var token = body.GetProperty("token").GetString();
        Assert.False(string.IsNullOrEmpty(token));
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        return (token!, setCookie.Split(';')[0]);
    }

    private static async Task<HttpResponseMessage> Send(WebSilo silo, HttpRequestMessage request)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = silo.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        return await client.SendAsync(request);
    }
}
