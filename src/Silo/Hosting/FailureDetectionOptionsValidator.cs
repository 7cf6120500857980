using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Checks <see cref="FailureDetectionOptions"/> while the host is built (they shape Orleans' membership); each failure names its key.</summary>
internal sealed class FailureDetectionOptionsValidator : IValidateOptions<FailureDetectionOptions>
{
    private const string Section = "TaskQueue:FailureDetection";
    private static readonly TimeSpan MinSurvivedPause = TimeSpan.FromSeconds(2);

    public ValidateOptionsResult Validate(string? name, FailureDetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ProbeTimeout < TimeSpan.FromMilliseconds(200) || options.ProbeTimeout > TimeSpan.FromMinutes(1))
            failures.Add($"{Section}:ProbeTimeout must be 0.2 s..1 min, was {options.ProbeTimeout}.");
        if (options.MaxProbeTimeout < options.ProbeTimeout || options.MaxProbeTimeout > TimeSpan.FromMinutes(5))
            failures.Add($"{Section}:MaxProbeTimeout must be at least ProbeTimeout and at most 5 min, was {options.MaxProbeTimeout}.");
        if (options.MissedProbesLimit is < 1 or > 20)
            failures.Add($"{Section}:MissedProbesLimit must be 1..20, was {options.MissedProbesLimit}.");
        if (options.VotesForDeathDeclaration is < 1 or > 20)
            failures.Add($"{Section}:VotesForDeathDeclaration must be 1..20, was {options.VotesForDeathDeclaration}.");
        if (options.TableRefreshTimeout < TimeSpan.FromSeconds(1) || options.TableRefreshTimeout > TimeSpan.FromMinutes(10))
            failures.Add($"{Section}:TableRefreshTimeout must be 1 s..10 min, was {options.TableRefreshTimeout}.");
        // Orleans does not suspect a silo it heard from within MaxProbeTimeout x MissedProbesLimit: that window is the
        // longest pause (a GC, a starved core) a live silo survives, and these options promise at least 2 s.
        if (options.MaxProbeTimeout * options.MissedProbesLimit < MinSurvivedPause)
            failures.Add($"{Section}:MaxProbeTimeout x MissedProbesLimit must be at least {MinSurvivedPause.TotalSeconds:0} s (the longest pause a live silo survives), was {(options.MaxProbeTimeout * options.MissedProbesLimit).TotalSeconds:0.##} s.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
