namespace DistributedTaskQueue;

/// <summary>
/// How a failed attempt is retried: up to <see cref="MaxRetries"/> more attempts, the n-th after
/// <see cref="RetryDelay"/> (doubled each time when <see cref="ExponentialBackoff"/>), capped at
/// <see cref="MaxDelay"/>, then spread by up to ±<see cref="Jitter"/> of itself so retries do not stampede.
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.RetryPolicy")]
public sealed record RetryPolicy
{
    /// <summary>Three retries, 10 s doubling to at most 5 min, ±10 % jitter.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>No retries: the first failure dead-letters the task.</summary>
    public static RetryPolicy None { get; } = new() { MaxRetries = 0 };

    /// <summary>Attempts after the first; 0 means a failure is final.</summary>
    [Id(0)] public int MaxRetries { get; init; } = 3;

    /// <summary>Delay before the first retry.</summary>
    [Id(1)] public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether each retry doubles the previous delay.</summary>
    [Id(2)] public bool ExponentialBackoff { get; init; } = true;

    /// <summary>The longest delay between attempts.</summary>
    [Id(3)] public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Fraction (0 to 1) by which a delay is randomly spread either way.</summary>
    [Id(4)] public double Jitter { get; init; } = 0.1;

    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1 for the first retry), before jitter:
    /// RetryDelay × 2^(retry−1) when exponential, capped at MaxDelay.
    /// </summary>
    public TimeSpan BaseDelay(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        if (!ExponentialBackoff) return Min(RetryDelay, MaxDelay);
        // Doubling past 2^30 overflows long before any sane cap; the cap wins anyway.
        var factor = Math.Pow(2, Math.Min(retry - 1, 30));
        var ticks = RetryDelay.Ticks * factor;
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// The delay with jitter applied: <paramref name="unitRandom"/> in [0, 1) maps linearly onto
    /// [base × (1 − Jitter), base × (1 + Jitter)), never above MaxDelay.
    /// </summary>
    public TimeSpan DelayFor(int retry, double unitRandom)
    {
        var baseDelay = BaseDelay(retry);
        var spread = (unitRandom * 2 - 1) * Math.Clamp(Jitter, 0, 1);
        var ticks = (long)(baseDelay.Ticks * (1 + spread));
        return Min(TimeSpan.FromTicks(Math.Max(ticks, 0)), MaxDelay);
    }

    /// <summary>Throws <see cref="InvalidTaskException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        if (MaxRetries is < 0 or > 1000) throw new InvalidTaskException("RetryPolicy.MaxRetries", $"RetryPolicy.MaxRetries must be 0..1000, was {MaxRetries}.");
        CheckDelay(RetryDelay, "RetryPolicy.RetryDelay");
        CheckDelay(MaxDelay, "RetryPolicy.MaxDelay");
        if (Jitter is < 0 or > 1 || double.IsNaN(Jitter)) throw new InvalidTaskException("RetryPolicy.Jitter", $"RetryPolicy.Jitter must be 0..1, was {Jitter}.");
    }

    /// <summary>A retry's due time is now plus the delay: bounded, so it can never overflow a <see cref="DateTimeOffset"/>.</summary>
    private static void CheckDelay(TimeSpan delay, string field)
    {
        if (delay < TimeSpan.Zero || delay > TaskRules.MaxRetryDelay)
            throw new InvalidTaskException(field, $"{field} must be 0..{TaskRules.MaxRetryDelay.TotalDays:0} days, was {delay}.");
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
