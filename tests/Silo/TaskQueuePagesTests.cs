using System.Net;
using System.Text.RegularExpressions;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The queue pages as served: embedded files under /ui/ behind the /api access rules, with a Content-Security-Policy that
/// runs only the silo's own scripts, and pages that never parse data as HTML. What they show is tested in a real browser
/// (QueuePagesBrowserTests).
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed partial class TaskQueuePagesTests(LoopbackWebSilo loopback, KeyedWebSilo keyed) : IClassFixture<LoopbackWebSilo>, IClassFixture<KeyedWebSilo>
{
    public static readonly TheoryData<string> Pages = new() { "index.html", "queue.html", "task.html", "schedules.html", "workers.html" };

    private static readonly string[] Scripts = ["api.js", "chart.js", "dom.js", "format.js", "page.js", "overview.js", "queue.js", "task.js", "schedules.js", "workers.js"];

    [Fact]
    public async Task TheOverview_IsServedUnderUi_WithAPolicyThatRunsNoInlineScript()
    {
        using var page = await loopback.Silo.SendAsync(HttpMethod.Get, "/ui/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"js/overview.js\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task UiWithoutTheSlash_Redirects_SoRelativeLinksResolveUnderUi()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = loopback.Silo.Http.BaseAddress };
        using var bare = await client.GetAsync(new Uri("/ui", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/ui/", bare.Headers.Location?.OriginalString);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task EveryPage_LoadsOnlyItsOwnFiles_HasNoInlineScriptOrStyle_AndLinksToTheDashboard(string name)
    {
        using var response = await loopback.Silo.SendAsync(HttpMethod.Get, $"/ui/{name}");
        var html = await ApiAssertText(response, "text/html");
        foreach (Match script in ScriptTag().Matches(html)) Assert.Matches("src=\"js/[a-z]+\\.js\"", script.Value);
        Assert.DoesNotMatch(InlineHandler(), html);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        // Nothing from another origin: every link and source is relative to /ui/.
        foreach (Match reference in Reference().Matches(html))
            Assert.DoesNotMatch("(//|:)", reference.Groups[1].Value);
        Assert.Contains("href=\"../dashboard/\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheScripts_AreJavaScriptModules_ThatNeverWriteHtmlOrFetchFromElsewhere()
    {
        foreach (var script in Scripts)
        {
            using var response = await loopback.Silo.SendAsync(HttpMethod.Get, $"/ui/js/{script}");
            // The SVG namespace is a name, not a place anything is fetched from.
            var text = (await ApiAssertText(response, "text/javascript")).Replace("'http://www.w3.org/2000/svg'", "", StringComparison.Ordinal);
            foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "http://", "https://" })
                Assert.False(text.Contains(sink, StringComparison.Ordinal), $"{script} uses {sink}");
        }
        using var css = await loopback.Silo.SendAsync(HttpMethod.Get, "/ui/app.css");
        Assert.DoesNotContain("@import", await ApiAssertText(css, "text/css"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.html")]
    public async Task TheDashboardsPage_LinksToTheQueuePages(string path)
    {
        // As a browser asks for it: compressed if the server likes.
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.All }) { BaseAddress = loopback.Silo.Http.BaseAddress };
        using var page = await client.GetAsync(new Uri(path, UriKind.Relative));
        var html = await ApiAssertText(page, "text/html");
        Assert.Contains("Orleans Dashboard", html, StringComparison.Ordinal);
        Assert.Contains("<a id=\"dtq-queue-pages\" href=\"../ui/\"", html, StringComparison.Ordinal);
        // With the defaults grain calls are not timed, and the page says why its call charts read 0.
        Assert.Contains("<div id=\"dtq-profiling-off\"", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>", html.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/missing.html")]
    [InlineData("/ui/js/")]
    [InlineData("/ui/../appsettings.json")]
    [InlineData("/ui/Web/Pages/index.html")]
    public async Task AFileThePagesDoNotHave_Is404ProblemDetails(string path)
    {
        using var response = await loopback.Silo.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ThePages_AreBehindTheApisAccessRules()
    {
        using var remote = await loopback.Silo.SendAsync(HttpMethod.Get, "/ui/", WebSilo.Remote);
        await ApiAssert.ProblemAsync(remote, HttpStatusCode.Unauthorized);

        using var noKey = await keyed.Silo.SendAsync(HttpMethod.Get, "/ui/queue.html");
        await ApiAssert.ProblemAsync(noKey, HttpStatusCode.Unauthorized);
        // A browser prompts for Basic credentials: any user name, the key as the password.
        Assert.Contains(noKey.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        using var readOnly = await keyed.Silo.SendAsync(HttpMethod.Get, "/ui/queue.html", apiKey: AccessKeys.ReadOnly);
        Assert.Equal(HttpStatusCode.OK, readOnly.StatusCode);
    }

    private static async Task<string> ApiAssertText(HttpResponseMessage response, string mediaType)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();

    [GeneratedRegex("\\son[a-z]+\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
