using System.Net;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;
using Orleans.Dashboard;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The Orleans dashboard in the silo's own web app under /dashboard: its page, and its silo counters filled from the
/// runtime's meter (Orleans 10.4.2's dashboard listens to the meter the runtime creates, "Microsoft.Orleans"; 10.2's
/// listened to "Orleans" and showed none: this test would catch that again).
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class DashboardTests(LoopbackWebSilo fixture) : IClassFixture<LoopbackWebSilo>
{
    [Fact]
    public async Task TheSiloServesTheDashboardPage_UnderDashboard()
    {
        using var page = await fixture.Silo.SendAsync(HttpMethod.Get, "/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Orleans Dashboard", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Without the slash it redirects, so the page's relative asset paths resolve under /dashboard/.
        using var bare = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Silo.Http.BaseAddress }
            .GetAsync(new Uri("/dashboard", UriKind.Relative));
        Assert.Equal("/dashboard/", bare.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task AfterSomeTasksRan_TheDashboardsSiloCounters_AreNotEmpty()
    {
        var client = fixture.Silo.Services.GetService(typeof(TaskClient)) as TaskClient;
        Assert.NotNull(client);
        for (var i = 0; i < 5; i++) await client.WaitAsync(await client.SubmitAsync("dtq.echo", "1", LoopbackWebSilo.Queue), TimeSpan.FromSeconds(30));

        var silo = ((ILocalSiloDetails)fixture.Silo.Services.GetService(typeof(ILocalSiloDetails))!).SiloAddress.ToParsableString();
        // The dashboard exports the runtime's counters once a second.
        JsonElement reported = default;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var response = await fixture.Silo.SendAsync(HttpMethod.Get, $"/dashboard/SiloCounters/{silo}");
            reported = await ApiAssert.OkAsync(response);
            if (reported.GetArrayLength() > 0) break;
            await Task.Delay(250);
        }
        var names = reported.EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("orleans-catalog-activations", names);
        Assert.Contains(names, n => n!.StartsWith("orleans-messaging-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GrainCallsAreTimedForTheDashboardsMethodPages_OnceSomeoneOpensIt()
    {
        await using var silo = await WebSilo.StartAsync(["dashboard-profile"], s => s.Dashboard.ProfileGrainMethods = true);
        // Asked for, the package's filter is wrapped in place: it runs only while profiling is on.
        var filters = ((IEnumerable<IIncomingGrainCallFilter>)silo.Services.GetService(typeof(IEnumerable<IIncomingGrainCallFilter>))!).ToList();
        Assert.Contains(filters, f => f is DashboardCallFilter);
        Assert.DoesNotContain(filters, f => f.GetType().Name == "GrainProfilerFilter");
        // Timed, the page carries no notice that it is not.
        using (var index = await silo.SendAsync(HttpMethod.Get, "/dashboard/"))
        {
            var html = await index.Content.ReadAsStringAsync();
            Assert.Contains("dtq-queue-pages", html, StringComparison.Ordinal);
            Assert.DoesNotContain("dtq-profiling-off", html, StringComparison.Ordinal);
        }

        var client = (TaskClient)silo.Services.GetService(typeof(TaskClient))!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var text = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            // A dashboard query turns profiling on in every silo; calls made after it are timed and reported each second.
            using (await silo.SendAsync(HttpMethod.Get, "/dashboard/DashboardCounters")) { }
            await client.WaitAsync(await client.SubmitAsync("dtq.echo", "1", "dashboard-profile"), TimeSpan.FromSeconds(30));
            using var top = await silo.SendAsync(HttpMethod.Get, "/dashboard/TopGrainMethods");
            text = (await ApiAssert.OkAsync(top)).GetRawText();
            if (text.Contains("TaskQueueGrain", StringComparison.Ordinal)) break;
            await Task.Delay(250);
        }
        Assert.Contains("TaskQueueGrain", text);
    }

    [Fact]
    public async Task ByDefault_NoGrainCallIsTimed_SoNoIncomingFilterIsRegistered_AndTheMethodPagesStayEmpty()
    {
        // The shared silo runs with the defaults.
        var filters = ((IEnumerable<IIncomingGrainCallFilter>)fixture.Silo.Services.GetService(typeof(IEnumerable<IIncomingGrainCallFilter>))!).ToList();
        Assert.Empty(filters);

        var client = (TaskClient)fixture.Silo.Services.GetService(typeof(TaskClient))!;
        using (await fixture.Silo.SendAsync(HttpMethod.Get, "/dashboard/DashboardCounters")) { }
        for (var i = 0; i < 5; i++) await client.WaitAsync(await client.SubmitAsync("dtq.echo", "1", LoopbackWebSilo.Queue), TimeSpan.FromSeconds(30));
        // The profiler reports each second; two reports later, still nothing was timed.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var top = await fixture.Silo.SendAsync(HttpMethod.Get, "/dashboard/TopGrainMethods");
        var text = (await ApiAssert.OkAsync(top)).GetRawText();
        Assert.DoesNotContain("TaskQueueGrain", text, StringComparison.Ordinal);
        // The rest of the dashboard is there.
        using var counters = await fixture.Silo.SendAsync(HttpMethod.Get, "/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
    }

    [Fact]
    public async Task ThePagesFiles_AreReadOnTheFirstDashboardRequest_NotAtStart_AndItsSourceMapNever()
    {
        await using var silo = await WebSilo.StartAsync(["dashboard-lazy"]);
        var assets = silo.Services.GetService(typeof(DashboardAssets)) as DashboardAssets;
        Assert.NotNull(assets);
        using (var api = await silo.SendAsync(HttpMethod.Get, "/api/worker")) await ApiAssert.OkAsync(api);
        Assert.False(assets.IsLoaded);

        using var script = await silo.SendAsync(HttpMethod.Get, "/dashboard/index.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
        Assert.True(assets.IsLoaded);
        using var css = await silo.SendAsync(HttpMethod.Get, "/dashboard/index.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        using var map = await silo.SendAsync(HttpMethod.Get, "/dashboard/index.min.js.map");
        Assert.Equal(HttpStatusCode.NotFound, map.StatusCode);
        // The package maps no route that could serve a source map, so that 404 held with the stock provider too (which
        // read the map all the same): what shows the map was left out is the provider's table itself.
        var table = (System.Collections.IEnumerable)assets.Provider.GetType()
            .GetField("_resourceCache", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(assets.Provider)!;
        var names = table.Cast<object>().Select(entry => (string)entry.GetType().GetProperty("Key")!.GetValue(entry)!).ToList();
        Assert.Contains("index.min.js", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".map", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ADashboardTheHostMapsItself_ServesItsPageFiles_ThoughNoOneOpenedDashboard()
    {
        // MapOrleansDashboard is the package's public mapping: a host may add the dashboard at a path of its own. Those
        // routes do not pass through MapTaskQueueDashboard, so nothing of ours loads the files before they are served.
        await using var silo = await WebSilo.StartAsync(["dashboard-own-map"], map: app => app.MapOrleansDashboard("/orleans"));

        using var script = await silo.SendAsync(HttpMethod.Get, "/orleans/index.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
        using var page = await silo.SendAsync(HttpMethod.Get, "/orleans/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Orleans Dashboard", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Ours still serves, its own way.
        using var ours = await silo.SendAsync(HttpMethod.Get, "/dashboard/index.css");
        Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
    }

    [Fact]
    public async Task WithTheDashboardOff_NothingIsServedUnderDashboard_AndTheApiStillIs()
    {
        await using var silo = await WebSilo.StartAsync(["dashboard-off"], s => s.Dashboard.Enabled = false);

        using var page = await silo.SendAsync(HttpMethod.Get, "/dashboard/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        using var worker = await silo.SendAsync(HttpMethod.Get, "/api/worker");
        await ApiAssert.OkAsync(worker);
    }
}
