namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// What the failure-detection validator lets through. Orleans vetoes suspecting a silo it heard from within
/// MaxProbeTimeout x MissedProbesLimit (<c>ClusterMembershipOptions.EnableConnectionLivenessCheck</c>): that window is
/// the longest pause (GC, a starved core) a live silo survives. <see cref="FailureDetectionOptions"/> promises that a
/// silo which is only slow (a 2 s pause) stays alive, so no accepted configuration may shrink it below that.
/// </summary>
public sealed class FailureDetectionSoundnessTests
{
    [Fact]
    public void AConfigurationThatDeclaresASiloDeadAfterAFractionOfASecond_IsRefused()
    {
        var options = new FailureDetectionOptions
        {
            ProbeTimeout = TimeSpan.FromMilliseconds(200),
            MaxProbeTimeout = TimeSpan.FromMilliseconds(200),
            MissedProbesLimit = 1,
            VotesForDeathDeclaration = 1,
        };
        // A 0.2 s veto window and one vote: a single silo that misses one probe during a routine 0.3 s GC pause of
        // another declares it dead, and that silo's partitions and running tasks move.
        Assert.True(options.MaxProbeTimeout * options.MissedProbesLimit < TimeSpan.FromSeconds(2));

        var result = new FailureDetectionOptionsValidator().Validate(null, options);

        Assert.True(result.Failed, "accepted: a silo paused for 0.2 s can be declared dead");
    }
}
