using System.Text.Json.Serialization;

namespace DistributedTaskQueue;

/// <summary>The <c>retry</c> object of a submit body; each field left out keeps the queue's default policy's value.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RetryRequest
{
    /// <summary>Attempts after the first.</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Delay before the first retry.</summary>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>Whether each retry doubles the delay.</summary>
    public bool? ExponentialBackoff { get; init; }

    /// <summary>The longest delay between attempts.</summary>
    public TimeSpan? MaxDelay { get; init; }

    /// <summary>Fraction (0 to 1) by which a delay is randomly spread.</summary>
    public double? Jitter { get; init; }

    internal RetryPolicy Over(RetryPolicy defaults) => defaults with
    {
        MaxRetries = MaxRetries ?? defaults.MaxRetries,
        RetryDelay = RetryDelay ?? defaults.RetryDelay,
        ExponentialBackoff = ExponentialBackoff ?? defaults.ExponentialBackoff,
        MaxDelay = MaxDelay ?? defaults.MaxDelay,
        Jitter = Jitter ?? defaults.Jitter,
    };
}
