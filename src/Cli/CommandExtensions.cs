using System.CommandLine;

namespace DistributedTaskQueue.Cli;

/// <summary>Every verb runs through <see cref="CliSession.RunAsync"/>, so none can forget the exit codes or leave a connection open.</summary>
internal static class CommandExtensions
{
    public static void SetSessionAction(this Command command, Func<CliSession, Task<int>> verb) =>
        command.SetAction((parse, cancellation) => CliSession.RunAsync(parse, verb, cancellation));
}
