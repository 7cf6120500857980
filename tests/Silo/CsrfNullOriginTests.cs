using System.Net;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The queue pages are served with <c>Referrer-Policy: no-referrer</c>, and a browser that follows the Fetch standard
/// (Firefox) then sends <c>Origin: null</c> on the pages' own POSTs to /api (a same-origin fetch is not a CORS request).
/// Such a POST says where it comes from by <c>Sec-Fetch-Site: same-origin</c>, which no script can set: with the token
/// of GET /api/csrf it is the page's own action; without that header a null Origin is still refused.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class CsrfNullOriginTests(LoopbackWebSilo loopback) : IClassFixture<LoopbackWebSilo>
{
    private static readonly string RetryPath = $"/api/queues/{LoopbackWebSilo.Queue}/dead/retry";

    [Fact]
    public async Task ThePagesOwnPost_AsFirefoxSendsItUnderNoReferrer_IsAccepted()
    {
        var (token, cookie) = await CsrfAsync();

        using var request = Post(origin: "null", fetchSite: "same-origin", token, cookie);
        using var response = await SendAsync(request);

        Assert.Equal(0, (await ApiAssert.OkAsync(response)).GetProperty("retried").GetInt32());
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    [InlineData("none")]
    [InlineData(null)]
    public async Task ANullOrigin_FromAnywhereButTheSameOrigin_IsRefused_EvenWithAValidToken(string? fetchSite)
    {
        var (token, cookie) = await CsrfAsync();

        using var request = Post(origin: "null", fetchSite, token, cookie);
        using var response = await SendAsync(request);

        Assert.Equal("Cross-origin request refused", (await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ANullOrigin_FromTheSameOrigin_WithoutTheToken_IsRefused()
    {
        using var request = Post(origin: "null", fetchSite: "same-origin", token: null, cookie: null);
        using var response = await SendAsync(request);

        Assert.Equal("Antiforgery token required", (await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden)).GetProperty("title").GetString());
    }

    private static HttpRequestMessage Post(string origin, string? fetchSite, string? token, string? cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, RetryPath);
        request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        if (token is not null) request.Headers.Add("X-CSRF-TOKEN", token);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        return request;
    }

    private async Task<(string Token, string Cookie)> CsrfAsync()
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/csrf"));
        var token = (await ApiAssert.OkAsync(response)).GetProperty("token").GetString()!;
        return (token, Assert.Single(response.Headers.GetValues("Set-Cookie")).Split(';')[0]);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        // Cookie-less: the fixture's shared client keeps cookies (see CsrfTests).
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = loopback.Silo.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        return await client.SendAsync(request);
    }
}
