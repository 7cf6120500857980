using DistributedTaskQueue;
using EmailTasks;
using Microsoft.Extensions.Logging;

namespace SimpleWorker;

/// <summary>Pretends to send the email (100 ms), as the original example did, and says so.</summary>
public sealed partial class EmailTaskHandler(TimeProvider time) : ITaskHandler<EmailTask, string>
{
    public async Task<string> HandleAsync(EmailTask task, TaskContext context, CancellationToken cancellationToken)
    {
        LogSending(context.Logger, task.To, context.Attempt);
        await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        return $"Email sent to {task.To}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending email to {To} (attempt {Attempt})")]
    private static partial void LogSending(ILogger logger, string to, int attempt);
}
