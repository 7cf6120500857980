// simple_worker: a silo whose worker serves the "emails" queue, four tasks at a time, with the EmailTask handler.
//   redis-server &                                            # a local Redis
//   dotnet run --project samples/SimpleWorker                 # this worker (Ctrl+C stops it gracefully)
//   dotnet run --project samples/TaskClient                   # in another terminal: submit and wait
// Redis is localhost:6379 unless TaskQueue__Redis (or --TaskQueue:Redis=...) says otherwise. A second worker on the same
// machine needs ports of its own, and the tasks then spread over both:
//   dotnet run --project samples/SimpleWorker -- --TaskQueue:SiloPort=11112 --TaskQueue:GatewayPort=30001 --urls=http://127.0.0.1:5081
// The web host (API, dashboard, /metrics, health) is http://127.0.0.1:5080 unless --urls says otherwise.
using DistributedTaskQueue;
using Microsoft.AspNetCore.Builder;
using SimpleWorker;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration["TaskQueue:Redis"] ??= "localhost:6379";
builder.Configuration["urls"] ??= "http://127.0.0.1:5080";
builder.UseTaskQueueSilo(silo =>
{
    silo.Worker.Queues = ["emails"];
    silo.Worker.MaxConcurrentTasks = 4;
});
builder.Services.AddTaskHandler<EmailTaskHandler>();

var app = builder.Build();
app.MapTaskQueueDashboard();
Console.WriteLine($"SimpleWorker: serving queue 'emails', 4 at a time, on Redis {app.Configuration["TaskQueue:Redis"]}. Ctrl+C stops after the running tasks finish.");
await app.RunAsync();
