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
        // The chaos scenario's checker counts every handler run, across silo deaths, from this list in Redis.
        if (Environment.GetEnvironmentVariable(RunLog.Variable) is { Length: > 0 } runLog)
            builder.Services.AddSingleton(new RunLog(StackExchange.Redis.ConnectionMultiplexer.Connect(runLog)));
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
public sealed class CountingBuiltInTaskHandler(TimeProvider time, ExecutionCounter counter, RunLog? runLog = null) : IRawTaskHandler
{
    private readonly BuiltInTaskHandler _inner = new(time);

    public bool CanHandle(string taskName) => _inner.CanHandle(taskName);

    public async Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken)
    {
        if (runLog is not null) await runLog.StartedAsync(context);
        var result = await _inner.HandleAsync(taskName, payloadJson, context, cancellationToken);
        counter.Increment();
        // Logged before the handler returns: a run whose completion never reached the partition (its silo died) is logged.
        if (runLog is not null) await runLog.FinishedAsync(context);
        return result;
    }
}

/// <summary>
/// The chaos checker's ledger (a Redis of its own, untouched by faults): every handler start and finish as
/// <c>{task id}|{attempt}|{worker}|{unix ms}</c>, and the task's effect, written with SETNX keyed by task id as an
/// idempotent handler writes it, each successful write counted.
/// </summary>
public sealed class RunLog(StackExchange.Redis.IConnectionMultiplexer redis)
{
    public const string Variable = "DTQ_BENCH_RUN_LOG";
    public const string Starts = "dtq-chaos:starts";
    public const string Finishes = "dtq-chaos:runs";

    public Task StartedAsync(TaskContext context) => redis.GetDatabase().ListRightPushAsync(Starts, Entry(context));

    public async Task FinishedAsync(TaskContext context)
    {
        var db = redis.GetDatabase();
        var id = context.TaskId.ToString();
        // The effect, keyed by task id: a second run of the task writes nothing. Counted only when written, so the checker
        // sees a duplicate effect only if the key could be written twice.
        if (await db.StringSetAsync($"dtq-chaos:effect:{id}", context.WorkerId, when: StackExchange.Redis.When.NotExists))
            await db.StringIncrementAsync($"dtq-chaos:effects:{id}");
        await db.ListRightPushAsync(Finishes, Entry(context));
    }

    private static string Entry(TaskContext context) =>
        string.Create(CultureInfo.InvariantCulture, $"{context.TaskId}|{context.Attempt}|{context.WorkerId}|{TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()}");
}
