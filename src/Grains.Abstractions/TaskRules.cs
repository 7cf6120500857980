using System.Text;
using System.Text.Json;

namespace DistributedTaskQueue;

/// <summary>
/// What a task submission may hold, in one place: the client checks it to refuse early, and the partition that
/// stores the task checks it again for sure (invariant 10), so nothing invalid is ever written. Each refusal is
/// an <see cref="InvalidTaskException"/> whose <see cref="InvalidTaskException.Field"/> names the field.
/// </summary>
public static class TaskRules
{
    /// <summary>Longest task name, in characters.</summary>
    public const int MaxTaskNameLength = 200;

    /// <summary>Longest idempotency key, in characters.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>
    /// Longest finite attempt timeout: timers cannot wait longer than about 24.8 days. Use
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> (or <see cref="TimeSpan.MaxValue"/>) for no timeout.
    /// </summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(24);

    /// <summary>Longest retention of a result, and farthest ahead a not-before time may be.</summary>
    public static readonly TimeSpan MaxHorizon = TimeSpan.FromDays(3650);

    /// <summary>Longest delay between two attempts (<see cref="RetryPolicy.RetryDelay"/> and <see cref="RetryPolicy.MaxDelay"/>).</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromDays(365);

    /// <summary>Longest error message a task record keeps; longer ones are cut.</summary>
    public const int MaxErrorMessageLength = 8 * 1024;

    /// <summary>Longest stack trace a task record keeps; longer ones are cut.</summary>
    public const int MaxStackTraceLength = 32 * 1024;

    /// <summary>Longest error type name a task record keeps.</summary>
    public const int MaxErrorTypeLength = 512;

    /// <summary>The error cut to the limits above, so one handler's enormous message cannot bloat its segment.</summary>
    public static TaskError Bounded(TaskError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Message.Length <= MaxErrorMessageLength && (error.Type?.Length ?? 0) <= MaxErrorTypeLength && (error.StackTrace?.Length ?? 0) <= MaxStackTraceLength
            ? error
            : error with { Message = Cut(error.Message, MaxErrorMessageLength)!, Type = Cut(error.Type, MaxErrorTypeLength), StackTrace = Cut(error.StackTrace, MaxStackTraceLength) };
    }

    /// <summary>True for the timeouts that mean "none": <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> and <see cref="TimeSpan.MaxValue"/>.</summary>
    public static bool IsUnlimited(TimeSpan timeout) => timeout == System.Threading.Timeout.InfiniteTimeSpan || timeout == TimeSpan.MaxValue;

    /// <summary>Throws when <paramref name="name"/> is not a task name: 1-200 characters, none of them whitespace or control characters.</summary>
    public static string ValidateTaskName(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw new InvalidTaskException("TaskName", "The task name is empty.");
        if (name.Length > MaxTaskNameLength)
            throw new InvalidTaskException("TaskName", $"The task name is {name.Length} characters long; the limit is {MaxTaskNameLength}.");
        foreach (var rune in name.EnumerateRunes())
        {
            // A lone surrogate enumerates as the replacement character: it would not survive a round trip through UTF-8.
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune) || rune == Rune.ReplacementChar)
                throw new InvalidTaskException("TaskName", $"Task name '{Printable(name)}' holds whitespace, a control character or an invalid character.");
        }
        return name;
    }

    /// <summary>Throws when a per-attempt timeout is not positive, or finite and over <see cref="MaxTimeout"/>.</summary>
    public static void ValidateTimeout(TimeSpan timeout, string field = "Timeout")
    {
        if (IsUnlimited(timeout)) return;
        if (timeout <= TimeSpan.Zero) throw new InvalidTaskException(field, $"{field} must be positive, was {timeout}.");
        if (timeout > MaxTimeout)
            throw new InvalidTaskException(field, $"{field} of {timeout} is over the limit of {MaxTimeout.TotalDays:0} days; use Timeout.InfiniteTimeSpan for no timeout.");
    }

    /// <summary>
    /// Checks every field of one submission against the rules and the deployment's limits; <paramref name="now"/>
    /// bounds how far ahead it may be scheduled. Throws <see cref="InvalidTaskException"/> naming the first bad field.
    /// </summary>
    public static void Validate(TaskSubmission submission, TaskQueueOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (submission is null) throw new InvalidTaskException("Submission", "The submission is missing.");
        var name = ValidateTaskName(submission.TaskName);
        ValidatePayload(name, submission.Payload, options.MaxPayloadBytes);
        if (!Enum.IsDefined(submission.Priority))
            throw new InvalidTaskException("Priority", $"Task '{name}': priority {(int)submission.Priority} is not one of Low (0), Normal (1), High (2), Critical (3).");
        submission.Retry?.Validate();
        if (submission.Timeout is { } timeout) ValidateTimeout(timeout);
        if (submission.NotBefore is { } notBefore && notBefore - now > MaxHorizon)
            throw new InvalidTaskException("NotBefore", $"Task '{name}': not-before {notBefore:O} is more than {MaxHorizon.TotalDays:0} days ahead.");
        if (submission.ExpiresAt is { } expiresAt && submission.NotBefore is { } start && expiresAt <= start)
            throw new InvalidTaskException("ExpiresAt", $"Task '{name}': it expires at {expiresAt:O}, not after its not-before time {start:O}, so it could never run.");
        if (submission.ResultTtl is { } ttl && (ttl <= TimeSpan.Zero || ttl > MaxHorizon))
            throw new InvalidTaskException("ResultTtl", $"Task '{name}': result retention must be positive and at most {MaxHorizon.TotalDays:0} days, was {ttl}.");
        if (submission.IdempotencyKey is { } key) ValidateIdempotencyKey(key);
        // The empty token is what a caller that forgot to make one sends: accepted, every such submit would be answered
        // with the first one's id and its own payload dropped.
        if (submission.Token is { } token && (token.Call == Guid.Empty || token.Index < 0))
            throw new InvalidTaskException("Token", $"Task '{name}': a submit token needs a non-empty call id and an index of 0 or more (leave it unset to have none).");
        if (submission.TraceParent is { } parent
            && (parent.Length > TaskTracing.MaxTraceParentLength || !System.Diagnostics.ActivityContext.TryParse(parent, null, out _)))
            throw new InvalidTaskException("TraceParent", $"Task '{name}': the trace parent is not a W3C traceparent (00-<trace id>-<span id>-<flags>, at most {TaskTracing.MaxTraceParentLength} characters).");
    }

    /// <summary>Throws when a key is empty, longer than <see cref="MaxIdempotencyKeyLength"/> or holds control characters.</summary>
    public static void ValidateIdempotencyKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxIdempotencyKeyLength)
            throw new InvalidTaskException("IdempotencyKey", $"An idempotency key must be 1-{MaxIdempotencyKeyLength} characters, was {key.Length}.");
        if (key.Any(char.IsControl)) throw new InvalidTaskException("IdempotencyKey", "An idempotency key must not hold control characters.");
    }

    /// <summary>Throws when a payload is missing, over the size limit, or not one well-formed JSON value.</summary>
    public static void ValidatePayload(string taskName, byte[]? payload, int maxBytes)
    {
        if (payload is null) throw new InvalidTaskException("Payload", $"Task '{taskName}': the payload is missing (send JSON null for none).");
        if (payload.Length > maxBytes)
            throw new InvalidTaskException("Payload", $"Task '{taskName}': payload of {payload.Length} bytes is over the limit of {maxBytes} bytes.");
        if (!IsJson(payload)) throw new InvalidTaskException("Payload", $"Task '{taskName}': the payload is not one well-formed JSON value.");
    }

    /// <summary>
    /// Whether an attempt's outcome can be applied at all: a known kind, a failure that carries an error with a message,
    /// a success that carries bytes (their content is judged by <see cref="ResultProblem"/>).
    /// </summary>
    public static bool IsWellFormed(TaskOutcome? outcome) => outcome switch
    {
        TaskOutcome.Succeeded succeeded => succeeded.Result is not null,
        TaskOutcome.Failed { Error: { Message: not null } } => true,
        TaskOutcome.Released => true,
        _ => false,
    };

    /// <summary>Why a handler's result cannot be stored (over the limit, or not one JSON value), or null when it can.</summary>
    public static (string Message, string Type)? ResultProblem(byte[] result, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Length > maxBytes)
            return ($"The result of {result.Length} bytes is over the limit of {maxBytes} bytes (TaskQueue:MaxResultBytes).", "ResultTooLarge");
        if (!IsJson(result)) return ("The result is not one well-formed JSON value, so no client could read it.", "ResultNotJson");
        return null;
    }

    /// <summary>Whether the bytes are exactly one JSON value in UTF-8 (reading it costs about a nanosecond a byte).</summary>
    public static bool IsJson(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return false;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read())
            {
            }
            return reader.BytesConsumed == utf8.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Cut(string? text, int max) => text is null || text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static string Printable(string text) =>
        new(text.Take(60).Select(c => char.IsControl(c) || char.IsWhiteSpace(c) ? '?' : c).ToArray());
}
