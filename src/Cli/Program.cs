// dtq: the command line for a running cluster. Every verb is one command class under Commands/; this file only
// parses, turns a usage error into one line and exit code 2, and runs the verb.
using DistributedTaskQueue.Cli;

var parse = DtqCommand.Create().Parse(args);
if (parse.Errors.Count > 0)
{
    // One line, as for every other error: the parser's "did you mean" list is folded onto it.
    var reason = string.Join(' ', parse.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    // The verb's whole path ("dtq dead list"), so the hint is a command that works.
    var path = new List<string>();
    for (var result = parse.CommandResult; result is not null && result.Parent is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        path.Insert(0, result.Command.Name);
    await Console.Error.WriteLineAsync($"dtq: {reason} (see 'dtq {string.Join(' ', path)}{(path.Count > 0 ? " " : "")}--help')");
    return ExitCodes.InvalidInput;
}
return await parse.InvokeAsync();
