using DistributedTaskQueue.Tests.Support;
using Microsoft.Playwright;
using static DistributedTaskQueue.Tests.Silo.QueuePagesBrowserTests;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The pages on a silo with API keys, as a browser uses them: it is challenged, answers with Basic credentials (the key
/// as password), and then every call of the page carries them: an ambient credential, so its actions go through the
/// CSRF rule with the token of GET /api/csrf. An Admin key acts; a ReadOnly key sees the pages and its actions are refused.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class QueuePagesWithKeysTests(KeyedWebSilo fixture) : IClassFixture<KeyedWebSilo>
{
    [Fact]
    public async Task WithBasicCredentials_AnAdminKeyActs_AndAReadOnlyKeyIsRefused()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = RequiredChromium(), Headless = true });
        var page = await OpenQueuePageAsync(browser, AccessKeys.Admin);
        await page.Locator("#pause").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync($"Paused {KeyedWebSilo.Queue}");
        await Expect(page.Locator("[data-stat=\"paused\"] dd")).ToHaveTextAsync("paused");
        await page.Locator("#resume").ClickAsync();
        await Expect(page.Locator("[data-stat=\"paused\"] dd")).ToHaveTextAsync("active");

        var readOnly = await OpenQueuePageAsync(browser, AccessKeys.ReadOnly);
        await readOnly.Locator("#pause").ClickAsync();
        await Expect(readOnly.Locator("#message.error")).ToContainTextAsync("ReadOnly");
        await Expect(readOnly.Locator("[data-stat=\"paused\"] dd")).ToHaveTextAsync("active");
    }

    private async Task<IPage> OpenQueuePageAsync(IBrowser browser, string key)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Silo.Http.BaseAddress!.ToString(),
            HttpCredentials = new HttpCredentials { Username = "operator", Password = key },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync($"/ui/queue.html?name={KeyedWebSilo.Queue}");
        await Expect(page.Locator("[data-stat=\"paused\"] dd")).ToHaveTextAsync("active");
        return page;
    }
}
