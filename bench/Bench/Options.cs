using System.Globalization;

namespace DistributedTaskQueue.Bench;

/// <summary>Command line: <c>&lt;scenario&gt; [--runs N] [--tasks N] [--concurrency N] [--max-depth N] [--quick] [--results DIR]</c>.</summary>
internal sealed class BenchOptions
{
    public static readonly string[] Scenarios = ["throughput", "latency", "backlog", "spread", "cost", "activation", "producers", "cold", "overhead", "overhead-paired", "delayed", "schedules"];

    /// <summary>Fault scenarios (./chaos.sh): they check targets rather than measure speed, so "all" leaves them out.</summary>
    public static readonly string[] FaultScenarios = ["chaos-kill", "chaos-pause", "chaos-redis", "chaos-redis-everysec", "chaos-control", "chaos-rolling"];

    public string Scenario { get; private set; } = "";

    /// <summary>Repetitions; figures are medians over them.</summary>
    public int Runs { get; private set; } = 3;

    /// <summary>Tasks per run (scenario default when null).</summary>
    public int? Tasks { get; private set; }

    /// <summary>Single submits in flight at once.</summary>
    public int Concurrency { get; private set; } = 256;

    /// <summary>Deepest backlog for the backlog scenario (default 1,000,000).</summary>
    public int? MaxDepth { get; private set; }

    public bool Quick { get; private set; }

    public string ResultsDirectory { get; private set; } = DefaultResultsDirectory();

    public int TasksOr(int full, int quick) => Tasks ?? (Quick ? quick : full);

    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        var options = new BenchOptions();
        var runsGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            int NextInt()
            {
                var text = Next();
                return int.TryParse(text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
                    ? value
                    : throw new ArgumentException($"{arg} needs a positive whole number, not '{text}'.");
            }
            try
            {
                switch (arg)
                {
                    case "--runs": options.Runs = NextInt(); runsGiven = true; break;
                    case "--tasks": options.Tasks = NextInt(); break;
                    case "--concurrency": options.Concurrency = NextInt(); break;
                    case "--max-depth": options.MaxDepth = NextInt(); break;
                    case "--quick": options.Quick = true; break;
                    case "--results": options.ResultsDirectory = Path.GetFullPath(Next()); break;
                    case "-h" or "--help": return null;
                    default:
                        if (arg.StartsWith('-') || options.Scenario.Length > 0) throw new ArgumentException($"Unknown argument '{arg}'.");
                        if (arg != "all" && !Scenarios.Contains(arg) && !FaultScenarios.Contains(arg)) throw new ArgumentException($"Unknown scenario '{arg}'.");
                        options.Scenario = arg;
                        break;
                }
            }
            catch (ArgumentException ex)
            {
                error.WriteLine(ex.Message);
                return null;
            }
        }
        if (options.Scenario.Length == 0) return null;
        if (options.Quick && !runsGiven) options.Runs = 1;
        return options;
    }

    public const string Usage = """
        usage: dotnet run -c Release --project bench/Bench -- <scenario|all> [options]
          scenarios: throughput, latency, backlog, spread, cost, activation, producers, cold, overhead, overhead-paired, delayed, schedules, all; faults (not in all): chaos-kill, chaos-pause, chaos-redis, chaos-redis-everysec, chaos-control, chaos-rolling
          --runs N         repetitions; figures are medians with min and max (default 3; 1 with --quick)
          --tasks N        tasks per run (throughput 100000, latency 2000 round trips, backlog 5000 probe submits
                           per depth, spread 12000, cost 20000 per mode, activation 1000000 finished,
                           producers 20000 and 100000 (2000 and 10000 with --quick) at 1, 8 and 64 producers,
                           delayed 10000 due over 10 s, schedules 10000 schedules)
          --concurrency N  single submits in flight (default 256)
          --max-depth N    deepest backlog (default 1000000; depths probed: 0, N/10, N; delayed: its delayed backlog)
          --quick          short smoke run (small counts, 1 run, max depth 20000)
          --results DIR    where <scenario>.json goes (default bench/results)
        """;

    /// <summary>bench/results of the repository this binary was built in (found upwards from the binary), else ./bench/results.</summary>
    private static string DefaultResultsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "bench", "Bench", "Bench.csproj"))) return Path.Combine(dir.FullName, "bench", "results");
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "bench", "results");
    }
}
