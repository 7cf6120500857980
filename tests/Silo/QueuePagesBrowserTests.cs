using System.Text.RegularExpressions;
using DistributedTaskQueue.Tests.Integration;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The queue pages in a real browser: the machine's headless Chromium, driven by Playwright's own driver (no browser is
/// downloaded), against a silo on loopback with its web host and a real Redis. It checks what an operator sees and does,
/// through the Content-Security-Policy and the CSRF rule as a browser meets them, and saves a screenshot of every page
/// under the test output's TestResults/screenshots/. With no browser on the machine the test fails: ./test.sh installs one.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class QueuePagesBrowserTests(RedisFixture redis)
{
    private const string Work = "pages-work";
    private const string Held = "pages-held";
    private const string Schedule = "pages-report";
    private const string Hostile = "boom <b>not bold</b><img src=x>";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    [Fact]
    public async Task AnOperator_SeesTheCounts_RetriesADeadLetter_AndOpensEveryPage()
    {
        var browserPath = RequiredChromium();
        var cluster = "pages-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await WebSilo.StartAsync([Work, Held], s =>
        {
            s.Options.RedisConnectionString = redis.Redis.ConnectionString;
            s.Options.ClusterId = cluster;
            s.Options.ServiceId = cluster;
            s.AdvertisedAddress = "127.0.0.1";
        }, services => services.AddTaskHandler<FailTaskHandler>());
        var client = silo.Services.GetRequiredService<TaskClient>();

        // Held: paused before anything is submitted, so its pending counts stay as submitted.
        await client.PauseQueueAsync(Held);
        foreach (var priority in new[] { TaskPriority.High, TaskPriority.High, TaskPriority.Normal, TaskPriority.Critical })
            await client.SubmitAsync("dtq.echo", "{\"n\":1}", Held, new TaskOptions { Priority = priority });
        for (var i = 0; i < 3; i++) await client.WaitAsync(await client.SubmitAsync("dtq.echo", $"{{\"n\":{i}}}", Work), Wait);
        var dead = new List<TaskId>();
        for (var i = 0; i < 2; i++)
        {
            var id = await client.SubmitAsync("test.fail", $$"""{"message":"{{Hostile.Replace("\"", "\\\"", StringComparison.Ordinal)}} {{i}}"}""", Work,
                new TaskOptions { Retry = RetryPolicy.None });
            await Assert.ThrowsAsync<TaskExecutionException>(() => client.WaitAsync(id, Wait));
            Assert.Equal(TaskState.DeadLettered, (await client.GetTaskAsync(id))?.State);
            dead.Add(id);
        }
        await client.Schedules.ScheduleEveryMinutesAsync(Schedule, "dtq.echo", "{}", Work, 60);

        Directory.CreateDirectory(ScreenshotDirectory);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = browserPath, Headless = true });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = silo.Http.BaseAddress!.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Wait.TotalMilliseconds);
        // A script error or a Content-Security-Policy violation shows as a console error.
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // A route this silo lacks answers 404 and the page says "not available": that is the graceful part, not an error.
            if (message.Type == "error" && !message.Text.Contains("status of 404", StringComparison.Ordinal)) errors.Add($"{page.Url}: {message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => errors.Add($"{page.Url}: {error}");

        // Overview: the counts of both queues, and the chart.
        await page.GotoAsync("/ui/");
        var work = page.Locator($"tr[data-queue=\"{Work}\"]");
        var held = page.Locator($"tr[data-queue=\"{Held}\"]");
        await Expect(work.Locator("[data-field=\"deadLettered\"]")).ToHaveTextAsync("2");
        await Expect(work.Locator("[data-field=\"succeeded\"]")).ToHaveTextAsync("3");
        await Expect(work.Locator("[data-field=\"failed\"]")).ToHaveTextAsync("2");
        await Expect(work.Locator("[data-field=\"pending\"]")).ToHaveTextAsync("0");
        await Expect(held.Locator("[data-field=\"pending\"]")).ToHaveTextAsync("4");
        await Expect(held.Locator("[data-field=\"byPriority\"]")).ToHaveTextAsync("1 · 2 · 1 · 0");
        await Expect(held.Locator("[data-field=\"paused\"]")).ToHaveTextAsync("paused");
        await Expect(held.Locator("[data-field=\"oldestPending\"]")).ToHaveTextAsync(new Regex("^\\d+ (s|min)"));
        Assert.True(await work.Locator("svg rect.bar").CountAsync() > 0, "the work queue's chart shows no throughput");
        Assert.Equal(1, await page.Locator("#chart svg").CountAsync());

        // Live: a third dead letter shows without a reload.
        var third = await client.SubmitAsync("test.fail", """{"message":"third"}""", Work, new TaskOptions { Retry = RetryPolicy.None });
        await Assert.ThrowsAsync<TaskExecutionException>(() => client.WaitAsync(third, Wait));
        await Expect(work.Locator("[data-field=\"deadLettered\"]")).ToHaveTextAsync("3");
        dead.Add(third);
        await Screenshot(page, "overview");

        // Queue page: pause it from the page (so a retried task stays pending), then retry one dead letter.
        await work.Locator("a").First.ClickAsync();
        await page.WaitForURLAsync(new Regex("queue\\.html\\?name=pages-work$"));
        var deadRows = page.Locator("[data-list=\"dead\"] tbody tr");
        await Expect(deadRows).ToHaveCountAsync(3);
        // Errors are shown as text: the markup in the message is not markup on the page.
        var errorCell = page.Locator($"[data-list=\"dead\"] tr[data-key=\"{dead[0]}\"] [data-field=\"error\"]");
        await Expect(errorCell).ToContainTextAsync("<b>not bold</b>");
        Assert.Equal(0, await page.Locator("[data-list=\"dead\"] b, [data-list=\"dead\"] img").CountAsync());
        await page.Locator("#pause").ClickAsync();
        await Expect(page.Locator("[data-stat=\"paused\"] dd")).ToHaveTextAsync("paused");
        Assert.True((await client.GetQueueStatsAsync(Work)).Paused);
        await page.Locator($"[data-list=\"dead\"] tr[data-key=\"{dead[0]}\"] [data-action=\"retry\"]").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync($"Re-queued {dead[0]}");
        var retried = await client.GetTaskAsync(dead[0]);
        Assert.Equal(TaskState.Pending, retried?.State);
        await Expect(page.Locator($"[data-list=\"pending\"] tr[data-key=\"{dead[0]}\"]")).ToHaveCountAsync(1);
        await Expect(deadRows).ToHaveCountAsync(2);
        await Screenshot(page, "queue");

        // Task page of a dead letter: state, payload, the failed attempt with its stack trace.
        await page.Locator($"[data-list=\"dead\"] tr[data-key=\"{dead[1]}\"] a").ClickAsync();
        await page.WaitForURLAsync(new Regex("task\\.html\\?id="));
        await Expect(page.Locator("[data-field=\"state\"] dd")).ToHaveTextAsync("DeadLettered");
        await Expect(page.Locator("#payload")).ToContainTextAsync("\"message\"");
        await Expect(page.Locator("#timeline")).ToContainTextAsync("Attempt 1 failed");
        // An attempt's start shows before its failure, whatever the two clocks that stamped them say.
        var timeline = await page.Locator("#timeline").InnerTextAsync();
        Assert.True(timeline.IndexOf("Attempt 1 started", StringComparison.Ordinal) < timeline.IndexOf("Attempt 1 failed", StringComparison.Ordinal), timeline);
        await Expect(page.Locator("#timeline")).ToContainTextAsync("InvalidOperationException: boom <b>not bold</b>");
        await page.Locator("#timeline summary").First.ClickAsync();
        await Expect(page.Locator("#timeline pre.stack").First).ToContainTextAsync("FailTaskHandler");
        Assert.True(await page.Locator("#retry").IsVisibleAsync());
        Assert.False(await page.Locator("#cancel").IsVisibleAsync());
        await Screenshot(page, "task");

        // Schedules: the definition, and trigger now.
        await page.GotoAsync("/ui/schedules.html");
        var schedule = page.Locator($"tr[data-schedule=\"{Schedule}\"]");
        await Expect(schedule.Locator("[data-field=\"definition\"]")).ToHaveTextAsync("every 60 min");
        await Expect(schedule.Locator("[data-field=\"state\"]")).ToHaveTextAsync("active");
        await schedule.Locator("[data-action=\"trigger\"]").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync($"Triggered {Schedule}");
        await Expect(schedule.Locator("[data-field=\"fires\"]")).ToContainTextAsync("+1 manual");
        Assert.Equal(1, (await client.Schedules.GetAsync(Schedule))?.TriggerCount);
        await Screenshot(page, "schedules");

        // Workers: this silo's worker serves both queues.
        await page.GotoAsync("/ui/workers.html");
        var worker = page.Locator("#workers tbody tr");
        await Expect(worker).ToHaveCountAsync(1);
        await Expect(worker.Locator("[data-field=\"queues\"]")).ToHaveTextAsync($"{Work}, {Held}");
        await Screenshot(page, "workers");

        Assert.Empty(errors);

        // The Orleans dashboard, linked from every page.
        await page.Locator("a.external").ClickAsync();
        await page.WaitForURLAsync(new Regex("/dashboard/$"));
        // It polls without end, so the network never idles: wait for it to draw its first figures instead.
        Assert.Contains("Orleans", await page.TitleAsync(), StringComparison.OrdinalIgnoreCase);
        await Expect(page.Locator("#dtq-queue-pages")).ToBeVisibleAsync();
        await Expect(page.Locator("#dtq-profiling-off")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(3000);
        await Screenshot(page, "dashboard");
        await page.Locator("#dtq-queue-pages").ClickAsync();
        await page.WaitForURLAsync(new Regex("/ui/$"));
        await Expect(page.Locator($"tr[data-queue=\"{Work}\"] [data-field=\"paused\"]")).ToHaveTextAsync("paused");
    }

    internal static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    internal static async Task Screenshot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>The browser, or a failure saying how to get one: a machine without it must not pass by skipping.</summary>
    internal static string RequiredChromium() => ChromiumPath() ?? throw new InvalidOperationException(
        "No Chromium on this machine (looked for $DTQ_CHROMIUM, /usr/bin/chromium, chromium and chromium-browser on PATH): install Debian's 'chromium' (./test.sh does).");

    /// <summary>$DTQ_CHROMIUM, else Debian's /usr/bin/chromium, else a chromium on PATH.</summary>
    internal static string? ChromiumPath()
    {
        if (Environment.GetEnvironmentVariable("DTQ_CHROMIUM") is { Length: > 0 } configured) return configured;
        if (File.Exists("/usr/bin/chromium")) return "/usr/bin/chromium";
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}
