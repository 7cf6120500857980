using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// An embedded silo host as src/Silo builds it (WebApplication, UseTaskQueueSilo, MapTaskQueueDashboard) on real Kestrel on a
/// loopback port, with the caller's settings. A loopback connection cannot come from elsewhere, so the host lets a test say
/// where a request comes from: the <see cref="RemoteAddressHeader"/> header sets the connection's remote address before
/// anything else runs (the access rules read only that address, as they would behind no proxy).
/// </summary>
public sealed class WebSilo : IAsyncDisposable
{
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    /// <summary>An address that is not this machine (TEST-NET-3, RFC 5737).</summary>
    public const string Remote = "203.0.113.7";

    private readonly WebApplication _app;

    private WebSilo(WebApplication app, HttpClient http)
    {
        _app = app;
        Http = http;
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<WebSilo> StartAsync(string[] queues, Action<TaskQueueSiloOptions>? configure = null, Action<IServiceCollection>? services = null, LogCapture? logs = null, Action<WebApplication>? map = null)
    {
        var port = RedisServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (logs is not null)
        {
            // Everything our code and ASP.NET Core's authentication log, down to Trace, so a test can see no key is ever logged.
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter<LogCapture>("DistributedTaskQueue", LogLevel.Trace);
            builder.Logging.AddFilter<LogCapture>("Microsoft.AspNetCore", LogLevel.Trace);
        }
        builder.UseTaskQueueSilo(silo =>
        {
            silo.SiloPort = RedisServer.FreePort();
            silo.GatewayPort = RedisServer.FreePort();
            silo.Worker.Queues = queues;
            silo.Worker.ShutdownGracePeriod = TimeSpan.FromSeconds(1);
            configure?.Invoke(silo);
        });
        builder.Services.AddTaskHandler<BuiltInTaskHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, RemoteAddressFromHeader>();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapTaskQueueDashboard();
        // What a host maps besides (the package's own dashboard mapping, say).
        map?.Invoke(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start that failed part way leaves what started running (the silo, the worker): stopped here, so a test of
            // a failing start leaves nothing behind in the test process.
            using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await app.StopAsync(stopping.Token);
            await app.DisposeAsync();
            throw;
        }
        return new WebSilo(app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) });
    }

    /// <summary>A request from <paramref name="remote"/> (null: from loopback, as it is) with an optional key.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? remote = null, string? bearer = null, string? apiKey = null, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (remote is not null) request.Headers.Add(RemoteAddressHeader, remote);
        if (bearer is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        if (apiKey is not null) request.Headers.Add("X-Api-Key", apiKey);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>First in the pipeline, before authentication: the test's stand-in for a connection from another machine.</summary>
    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(RemoteAddressHeader, out var value) && IPAddress.TryParse(value, out var address))
                    context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
