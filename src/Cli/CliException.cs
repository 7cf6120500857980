namespace DistributedTaskQueue.Cli;

/// <summary>A verb's own refusal (no such schedule, two timings given): its exit code and the line to print.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
