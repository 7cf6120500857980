using System.Text.RegularExpressions;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Playwright;
using static DistributedTaskQueue.Tests.Silo.QueuePagesBrowserTests;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The pages on a silo that lacks the newer routes (an older silo in a rolling upgrade): the browser answers them 404
/// as such a silo would, and each page says "not available" where it would have shown them, and works on.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class QueuePagesDegradeTests(LoopbackWebSilo fixture) : IClassFixture<LoopbackWebSilo>
{
    [Fact]
    public async Task WithoutTheQueueListTaskListsAndWorkerList_ThePagesSayNotAvailable()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = RequiredChromium(), Headless = true });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Silo.Http.BaseAddress!.ToString() });
        var missing = new Regex("/api/(queues$|workers$|queues/[^/]+/tasks\\?)");
        await context.RouteAsync(missing, route => route.FulfillAsync(new RouteFulfillOptions { Status = 404 }));
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);

        await page.GotoAsync("/ui/");
        await Expect(page.Locator("#chart")).ToContainTextAsync("Not available");
        Assert.False(await page.Locator("#status.error").IsVisibleAsync());

        await page.GotoAsync($"/ui/queue.html?name={LoopbackWebSilo.Queue}");
        await Expect(page.Locator("[data-list=\"pending\"] .note")).ToHaveTextAsync("Not available on this silo.");
        await Expect(page.Locator("[data-list=\"running\"] .note")).ToHaveTextAsync("Not available on this silo.");
        // What the silo has still shows: its stats and dead letters.
        await Expect(page.Locator("[data-stat=\"paused\"] dd")).ToHaveTextAsync("active");
        await Expect(page.Locator("[data-list=\"dead\"] .note")).ToHaveTextAsync("None.");

        await page.GotoAsync("/ui/workers.html");
        await Expect(page.Locator("#message")).ToContainTextAsync("not available");
        await Expect(page.Locator("#workers tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#workers [data-field=\"queues\"]")).ToHaveTextAsync(LoopbackWebSilo.Queue);
    }
}
