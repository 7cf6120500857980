// A runnable task-queue silo: Redis from configuration (TaskQueue:Redis), embedded in memory otherwise.
// Serves the queues in TaskQueue:Worker:Queues with the built-in handlers; apps host their own handlers
// the same way, with builder.Services.AddTaskHandler<THandler>().
using DistributedTaskQueue;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

// The container image's HEALTHCHECK runs this same binary as a probe of the silo beside it.
if (args is [HealthProbe.Argument, ..]) return await HealthProbe.RunAsync(args.Length > 1 ? args[1] : null);

// Settings files sit beside the binary, so `dotnet run --project src/Silo` from anywhere reads them.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseTaskQueueSilo();
builder.Services.AddTaskHandler<BuiltInTaskHandler>();

var app = builder.Build();
app.MapTaskQueueDashboard();
await app.RunAsync();
return 0;
