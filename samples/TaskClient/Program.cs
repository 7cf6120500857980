// task_client: submits EmailTasks to the "emails" queue of a running cluster (samples/SimpleWorker serves it), waits
// for their results, and reads a task's status and the queue's statistics.
//   dotnet run --project samples/TaskClient [-- <redis>]       # default localhost:6379, or TaskQueue__Redis
using System.Diagnostics;
using DistributedTaskQueue;
using EmailTasks;

var redis = args.FirstOrDefault() ?? Environment.GetEnvironmentVariable("TaskQueue__Redis") ?? "localhost:6379";
await using var client = await TaskClient.ConnectAsync(redis);

// One task, and its result.
var welcome = new EmailTask("user@example.com", "Welcome!", "Welcome to our service!");
var id = await client.SubmitAsync(welcome, queue: "emails");
Console.WriteLine($"Task submitted: {id}");
Console.WriteLine($"Task result: {await client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(30))}");
var info = await client.GetTaskAsync(id);
Console.WriteLine($"Status: {info!.State}, attempts {info.Attempts}, ran on {info.Worker}, took {(info.FinishedAt - info.StartedAt)?.TotalMilliseconds:0} ms");

// A batch with mixed priorities: the critical one is taken first among those waiting.
var clock = Stopwatch.StartNew();
var batch = await client.SubmitBatchAsync(
    Enumerable.Range(1, 10).Select(i => ((ITask<string>)new EmailTask($"user{i}@example.com", "Newsletter", "News"), i == 10 ? TaskPriority.Critical : TaskPriority.Normal)),
    "emails");
foreach (var taskId in batch) Console.WriteLine($"  {taskId}: {await client.WaitForResultAsync<string>(taskId, TimeSpan.FromSeconds(30))}");
Console.WriteLine($"10 tasks in {clock.ElapsedMilliseconds} ms");

var stats = await client.GetQueueStatsAsync("emails");
Console.WriteLine($"Queue emails: pending {stats.Pending}, running {stats.Running}, succeeded {stats.Succeeded}, failed {stats.Failed}, dead letters {stats.DeadLettered}");
