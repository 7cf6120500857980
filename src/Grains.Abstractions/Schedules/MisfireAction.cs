namespace DistributedTaskQueue;

/// <summary>What a schedule does with occurrences it missed (the cluster was down, or it came to them later than its threshold).</summary>
public enum MisfireAction
{
    /// <summary>Fire none of them; wait for the next occurrence.</summary>
    Skip = 0,

    /// <summary>Fire once for all of them (under the latest missed occurrence), unless an occurrence is due on time anyway.</summary>
    FireOnce = 1,

    /// <summary>Fire each of them, the most recent <see cref="MisfirePolicy.Limit"/> at most; older ones are skipped.</summary>
    FireAll = 2,
}
