using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Cli;

/// <summary>Maps what a verb threw to an exit code and the one line that explains it; nothing else ever reaches the user as a stack trace.</summary>
internal static class CliErrors
{
    public static (int Code, string Reason) Describe(Exception error) => error switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        TaskQueueUnavailableException => (ExitCodes.Unavailable, FirstLine(error.Message)),
        UnknownTaskException => (ExitCodes.NotFound, FirstLine(error.Message)),
        TaskTimeoutException => (ExitCodes.TimedOut, FirstLine(error.Message)),
        TaskExecutionException or TaskCancelledException => (ExitCodes.TaskFailed, FirstLine(error.Message)),
        InvalidTaskException or InvalidScheduleException or TaskResultTypeException or ArgumentException or FormatException
            or JsonException or OptionsValidationException => (ExitCodes.InvalidInput, FirstLine(error.Message)),
        IOException => (ExitCodes.InvalidInput, FirstLine(error.Message)),
        _ => (ExitCodes.Unavailable, $"{error.GetType().Name}: {FirstLine(error.Message)}"),
    };

    /// <summary>Orleans' messages can run to many lines (a silo's stack); a script gets the first.</summary>
    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
