using System.Text.Json;

namespace DistributedTaskQueue;

/// <summary>
/// Runs the <see cref="BuiltInTasks"/>: <c>dtq.noop</c> (returns null), <c>dtq.echo</c> (returns its payload)
/// and <c>dtq.sleep</c> (<c>{"milliseconds": n}</c>, an I/O-like wait).
/// </summary>
public sealed class BuiltInTaskHandler(TimeProvider time) : IRawTaskHandler
{
    private const string NoOp = BuiltInTasks.NoOp;
    private const string Echo = BuiltInTasks.Echo;
    private const string Sleep = BuiltInTasks.Sleep;

    /// <inheritdoc />
    public bool CanHandle(string taskName) => taskName is NoOp or Echo or Sleep;

    /// <inheritdoc />
    public IReadOnlyCollection<string>? TaskNames { get; } = [NoOp, Echo, Sleep];

    /// <inheritdoc />
    public async Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken)
    {
        switch (taskName)
        {
            case Echo:
                return payloadJson;
            case Sleep:
                using (var doc = JsonDocument.Parse(payloadJson))
                {
                    var ms = doc.RootElement.TryGetProperty("milliseconds", out var value) ? value.GetInt32() : 0;
                    await Task.Delay(TimeSpan.FromMilliseconds(ms), time, cancellationToken).ConfigureAwait(false);
                    return ms.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            default:
                return "null";
        }
    }
}
