using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Bench;

/// <summary>
/// <c>DistributedTaskQueue.Bench.dll silo-host</c>: the stock silo of src/Silo/Program.cs (same hosting, same
/// settings, same built-in tasks), plus a counter of the tasks this silo's handler ran at <c>GET /bench/executed</c>.
/// It exists because the stock silo exposes no per-silo execution count, which the spread scenario needs.
/// </summary>
internal static class SiloHost
{
    public const string Command = "silo-host";
    public const string ExecutedPath = "/bench/executed";

    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.UseTaskQueueSilo();
        builder.Services.AddSingleton<ExecutionCounter>();
        builder.Services.AddTaskHandler<CountingBuiltInTaskHandler>();
        var app = builder.Build();
        app.MapTaskQueueApi();
        app.MapGet(ExecutedPath, (ExecutionCounter counter) => Results.Text(counter.Value.ToString(CultureInfo.InvariantCulture)));
        await app.RunAsync();
    }
}

/// <summary>Tasks run to completion by this silo's handler.</summary>
public sealed class ExecutionCounter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);
}

/// <summary>The built-in tasks, counted.</summary>
public sealed class CountingBuiltInTaskHandler(TimeProvider time, ExecutionCounter counter) : IRawTaskHandler
{
    private readonly BuiltInTaskHandler _inner = new(time);

    public bool CanHandle(string taskName) => _inner.CanHandle(taskName);

    public async Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken)
    {
        var result = await _inner.HandleAsync(taskName, payloadJson, context, cancellationToken);
        counter.Increment();
        return result;
    }
}
