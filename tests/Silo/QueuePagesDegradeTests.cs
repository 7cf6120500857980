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

    [Fact]
    public async Task TheChartsBuckets_MergeQueuesByStart_AndFillTenMinutesEndingNow()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = RequiredChromium(), Headless = true });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.Silo.Http.BaseAddress!, "/ui/workers.html").ToString());
        // The module as the pages load it, on two queues' histories and a clock 5 s into the 07:10:20 bucket.
        var result = await page.EvaluateAsync<double[]>(
            """
            async () => {
              const { buckets, summary } = await import('./js/chart.js');
              const now = Date.parse('2026-12-04T07:10:25Z');
              const a = [{ start: '2026-12-04T07:10:10Z', submitted: 1, succeeded: 3, failed: 1 }, { start: '2026-12-04T07:00:30Z', succeeded: 9, failed: 0 }];
              const b = [{ start: '2026-12-04T07:10:10Z', submitted: 0, succeeded: 1, failed: 1 }];
              const list = buckets([a, b], now);
              const s = summary(list);
              return [list.length, list[list.length - 1].start - now, list[list.length - 2].succeeded, list[list.length - 2].failed,
                      list[0].start === Date.parse('2026-12-04T07:00:30Z') ? list[0].succeeded : -1, s.failed, s.failureRate];
            }
            """);
        Assert.Equal(60, result[0]);
        Assert.Equal(-5_000, result[1]);
        Assert.Equal(4, result[2]);
        Assert.Equal(2, result[3]);
        Assert.Equal(9, result[4]);
        Assert.Equal(2, result[5]);
        Assert.Equal(2.0 / 15, result[6], 6);
    }
}
