// The benchmark suite. See bench/README.md.
//   dotnet run -c Release --project bench/Bench -- <throughput|latency|backlog|spread|cost|activation|producers|cold|delayed|schedules|all> [options]
// Everything it starts (redis-server, silo processes) it stops again: on success, on an exception, on Ctrl+C
// and on SIGTERM.
using DistributedTaskQueue.Bench;
using DistributedTaskQueue.Bench.Infra;
using DistributedTaskQueue.Bench.Scenarios;

if (args.Length > 0 && args[0] == SiloHost.Command)
{
    await SiloHost.RunAsync(args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == ProducerClient.Command) return await ProducerClient.RunAsync(args[1..]);

var options = BenchOptions.Parse(args, Console.Error);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;   // A second Ctrl+C ends the process; ProcessExit still kills the children.
    e.Cancel = true;
    Console.Error.WriteLine("Ctrl+C: stopping and cleaning up (press again to force) ...");
    cancel.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();
AppDomain.CurrentDomain.UnhandledException += (_, _) => ChildProcesses.KillAll();

var scenarios = options.Scenario == "all" ? BenchOptions.Scenarios : [options.Scenario];
Console.WriteLine($"DistributedTaskQueue bench: {string.Join(", ", scenarios)}; runs {options.Runs}{(options.Quick ? " (quick)" : "")}; {Environment.ProcessorCount} cores; results to {options.ResultsDirectory}");
var failed = 0;
try
{
    foreach (var scenario in scenarios)
    {
        Console.WriteLine($"\n>> {scenario}");
        try
        {
            var report = scenario switch
            {
                "throughput" => await Throughput.RunAsync(options, cancel.Token),
                "latency" => await Latency.RunAsync(options, cancel.Token),
                "backlog" => await Backlog.RunAsync(options, cancel.Token),
                "spread" => await Spread.RunAsync(options, cancel.Token),
                "cost" => await Cost.RunAsync(options, cancel.Token),
                "activation" => await Activation.RunAsync(options, cancel.Token),
                "producers" => await Producers.RunAsync(options, cancel.Token),
                "cold" => await Cold.RunAsync(options, cancel.Token),
                "overhead" => await Overhead.RunAsync(options, cancel.Token),
                "overhead-paired" => await OverheadPaired.RunAsync(options, cancel.Token),
                "delayed" => await Delayed.RunAsync(options, cancel.Token),
                "schedules" => await Schedules.RunAsync(options, cancel.Token),
                "chaos-kill" => await Chaos.RunAsync("kill", options, cancel.Token),
                "chaos-pause" => await Chaos.RunAsync("pause", options, cancel.Token),
                "chaos-redis" => await Chaos.RunAsync("redis", options, cancel.Token),
                "chaos-redis-everysec" => await Chaos.RunAsync("redis-everysec", options, cancel.Token),
                "chaos-control" => await Chaos.RunAsync("control", options, cancel.Token),
                "chaos-rolling" => await Chaos.RunAsync("rolling", options, cancel.Token),
                _ => throw new InvalidOperationException(scenario),
            };
            report.Set("scenario", scenario);
            report.Set("runs", options.Runs);
            report.Set("quick", options.Quick);
            report.Set("machine.processor_count", Environment.ProcessorCount);
            report.Set("machine.os", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
            report.Set("machine.dotnet", Environment.Version.ToString());
            report.Set("source.commit", BuildInfo.Commit);
            report.Set("source.dirty_files_at_build", BuildInfo.DirtyFiles);
            report.Set("measured_at_utc", TimeProvider.System.GetUtcNow().ToString("u", System.Globalization.CultureInfo.InvariantCulture));
            report.Print(Console.Out);
            Console.WriteLine($"wrote {await report.WriteAsync(options.ResultsDirectory, cancel.Token)}");
            if (report.Failure is { } failure)
            {
                // A scenario that checks targets (chaos) reports its figures first, then fails the run.
                failed++;
                Console.Error.WriteLine($"{scenario} FAILED: {failure}");
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (options.Scenario == "all")
        {
            // With "all", one failed scenario does not cost the others; the exit code still says so.
            failed++;
            Console.Error.WriteLine($"{scenario} FAILED: {ex}");
        }
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception ex)
{
    // Caught here (not left unhandled) so that the finally below runs: an unhandled exception ends the
    // process without running finally blocks or ProcessExit handlers.
    Console.Error.WriteLine($"{options.Scenario} FAILED: {ex}");
    return 1;
}
finally
{
    ChildProcesses.KillAll();
}
return failed == 0 ? 0 : 1;
