namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// The system clock, moved forward on demand: what a silo whose turns were starved sees when its timers finally run.
/// Timers and delays still run on the real monotonic clock; only the wall clock the partition reads jumps.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _shiftTicks;

    public void Shift(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _shiftTicks));
}
