using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A silo host as apps write it (WebApplication, UseTaskQueueSilo embedded, MapTaskQueueApi, AddTaskQueueClient)
/// serving its JSON API over real HTTP on a free loopback port, with the test handlers. Every submission that
/// reaches a partition grain is recorded, so tests can see exactly what the API handed over.
/// </summary>
public sealed class ApiSilo : IAsyncLifetime
{
    public static readonly string[] Queues = ["api-priority", "api-range", "api-body", "api-options", "api-effect", "api-batch", "api-misc", "api-hostile"];

    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The TaskClient the host's DI gives app code (the same one the API uses).</summary>
    public TaskClient Client { get; private set; } = null!;

    public SubmissionRecorder Submissions { get; } = new();

    public async Task InitializeAsync()
    {
        var port = RedisServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseTaskQueueSilo(silo =>
        {
            silo.SiloPort = RedisServer.FreePort();
            silo.GatewayPort = RedisServer.FreePort();
            silo.Worker.Queues = Queues;
            // Enough slots for the tests that run several tasks at once on different queues.
            silo.Worker.MaxConcurrentTasks = 16;
            silo.Worker.ShutdownGracePeriod = TimeSpan.FromSeconds(1);
        });
        // An app in a silo's host registers the client as any app does: it must find the silo and add no second Orleans client.
        builder.Services.AddTaskQueueClient();
        builder.Services.AddTaskHandler<RecordTaskHandler>();
        builder.Services.AddTaskHandler<FailTaskHandler>();
        builder.Services.AddTaskHandler<BuiltInTaskHandler>();
        builder.Services.AddSingleton<IIncomingGrainCallFilter>(Submissions);
        _app = builder.Build();
        _app.MapTaskQueueApi();
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        Client = _app.Services.GetRequiredService<TaskClient>();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

/// <summary>Records every <see cref="TaskSubmission"/> a partition grain receives, before the grain sees it.</summary>
public sealed class SubmissionRecorder : IIncomingGrainCallFilter
{
    private readonly ConcurrentQueue<TaskSubmission> _all = new();

    public IReadOnlyList<TaskSubmission> All => [.. _all];

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Request.GetArgumentCount() > 0 && context.Request.GetArgument(0) is TaskSubmission[] batch)
        {
            foreach (var submission in batch) _all.Enqueue(submission);
        }
        await context.Invoke();
    }
}
