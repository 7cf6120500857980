// Submits tasks to a running cluster and prints their results:
//   dotnet run --project samples/SubmitClient -- <redis> [queue] [count]
// The silos of src/Silo run the built-in dtq.echo handler, so this needs no task types of its own.
using System.Diagnostics;
using System.Globalization;
using DistributedTaskQueue;

var redis = args.Length > 0 ? args[0] : "localhost:6379";
var queue = args.Length > 1 ? args[1] : "default";
var count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;

await using var client = await TaskClient.ConnectAsync(redis);
var clock = Stopwatch.StartNew();
var ids = new List<TaskId>();
for (var i = 0; i < count; i++)
    ids.Add(await client.SubmitAsync(BuiltInTasks.Echo, $$"""{"message":"hello {{i}}"}""", queue));
foreach (var id in ids)
{
    var result = await client.WaitForResultAsync<System.Text.Json.JsonElement>(id, TimeSpan.FromSeconds(30));
    Console.WriteLine($"{id}: {result}");
}
var stats = await client.GetQueueStatsAsync(queue);
Console.WriteLine($"{count} tasks in {clock.ElapsedMilliseconds} ms; queue {queue}: succeeded {stats.Succeeded}, pending {stats.Pending}, running {stats.Running}");
