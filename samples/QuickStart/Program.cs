// Quick start: one embedded silo (no Redis), a client in the same process, tasks of every priority and a
// batch, their results, one task's status and the queue statistics. Exits 0 when every result came back.
using DistributedTaskQueue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuickStart;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Orleans", LogLevel.Error);
builder.Logging.AddFilter("Polly", LogLevel.Error);
builder.UseTaskQueueSilo(silo =>
{
    silo.Worker.Queues = ["emails", "processing"];
    silo.Worker.MaxConcurrentTasks = 8;
});
builder.Services.AddTaskHandler<EmailTaskHandler>();
builder.Services.AddTaskHandler<ProcessImageTaskHandler>();
builder.Services.AddTaskHandler<UrgentTaskHandler>();
builder.Services.AddTaskQueueClient();

using var host = builder.Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<TaskClient>();
var timeout = TimeSpan.FromSeconds(30);

// One task of each priority; UrgentTask is Critical by its [TaskDefaults].
var email = await client.SubmitAsync(new EmailTask("user@example.com", "Welcome!", "Welcome to our service!"), "emails");
var low = await client.SubmitAsync(new EmailTask("digest@example.com", "Weekly digest", "..."), "emails", new TaskOptions { Priority = TaskPriority.Low });
var high = await client.SubmitAsync(new EmailTask("vip@example.com", "Your order", "..."), "emails", new TaskOptions { Priority = TaskPriority.High });
var urgent = await client.SubmitAsync(new UrgentTask("INC-42"), "emails");
Console.WriteLine($"Submitted {email}, {low}, {high}, {urgent}");
foreach (var id in new[] { email, low, high, urgent })
{
    Console.WriteLine($"  {id}: {await client.WaitForResultAsync<string>(id, timeout)}");
}

// A batch, and a batch with a priority per task.
var images = Enumerable.Range(1, 5).Select(i => new ProcessImageTask($"https://example.com/{i}.png", ["resize", "sharpen"]));
var batch = await client.SubmitBatchAsync(images, "processing");
var mixed = await client.SubmitBatchAsync(
    [(new ProcessImageTask("a.png", ["blur"]), TaskPriority.High), (new ProcessImageTask("b.png", ["crop"]), TaskPriority.Low)],
    "processing");
Console.WriteLine($"Submitted a batch of {batch.Count} and a mixed batch of {mixed.Count}");
foreach (var id in batch.Concat(mixed))
{
    Console.WriteLine($"  {id}: {await client.WaitForResultAsync<string>(id, timeout)}");
}

var status = await client.GetTaskAsync(email);
Console.WriteLine($"Status of {email}: {status?.State}, attempts {status?.Attempts}, enqueued {status?.EnqueuedAt:O}, finished {status?.FinishedAt:O}");
foreach (var queue in new[] { "emails", "processing" })
{
    var stats = await client.GetQueueStatsAsync(queue);
    Console.WriteLine($"Queue {queue}: pending {stats.Pending} (critical {stats.PendingOf(TaskPriority.Critical)}, high {stats.PendingOf(TaskPriority.High)}, normal {stats.PendingOf(TaskPriority.Normal)}, low {stats.PendingOf(TaskPriority.Low)}), running {stats.Running}, delayed {stats.Delayed}, succeeded {stats.Succeeded}, failed {stats.Failed}, dead-lettered {stats.DeadLettered}");
}

await host.StopAsync();
