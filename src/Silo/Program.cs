// A runnable task-queue silo: Redis from configuration (TaskQueue:Redis), embedded in memory otherwise.
// Serves the queues in TaskQueue:Worker:Queues with the built-in handlers; apps host their own handlers
// the same way, with builder.Services.AddTaskHandler<THandler>().
using DistributedTaskQueue;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;

// The container image's HEALTHCHECK runs this same binary as a probe of the silo beside it.
if (args is [HealthProbe.Argument, ..]) return await HealthProbe.RunAsync(args.Length > 1 ? args[1] : null);

// Settings files sit beside the binary, so `dotnet run --project src/Silo` from anywhere reads them.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// This silo's worker takes tasks as soon as the silo is active: nothing it starts later serves its handlers (see
// WorkerOptions.StartAtSiloActive). The lowest-priority source, so settings files and the environment still decide.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("TaskQueue:Worker:StartAtSiloActive", "true")] });
builder.UseTaskQueueSilo();
builder.Services.AddTaskHandler<BuiltInTaskHandler>();

var app = builder.Build();
app.MapTaskQueueDashboard();
await app.RunAsync();
return 0;
