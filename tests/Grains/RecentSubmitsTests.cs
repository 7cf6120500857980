using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>The memory of recent submit tokens alone: kept for the window, forgotten after it, never more than its capacity.</summary>
public sealed class RecentSubmitsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AToken_IsRememberedWithinTheWindow_AndForgottenAfterIt()
    {
        var recent = new RecentSubmits(TimeSpan.FromMinutes(1), capacity: 100);
        var token = new SubmitToken(Guid.NewGuid(), 0);
        recent.Add(token, 7, T0);

        recent.Add(new SubmitToken(Guid.NewGuid(), 0), 8, T0.AddSeconds(59));
        Assert.True(recent.TryGet(token, T0.AddSeconds(59), out var sequence));
        Assert.Equal(7, sequence);

        Assert.False(recent.TryGet(token, T0.AddSeconds(61), out _)); // a lookup alone forgets what left the window
        Assert.Equal(1, recent.Count);
    }

    [Fact]
    public void ABurstOnceForgotten_GivesItsTableBack_ButASteadyFewKeepTheirs()
    {
        var recent = new RecentSubmits(TimeSpan.FromMinutes(1), capacity: 1_000_000);
        for (var i = 0; i < 100_000; i++) recent.Add(new SubmitToken(Guid.NewGuid(), 0), i, T0);
        Assert.True(recent.Capacity >= 100_000);

        recent.Forget(T0.AddMinutes(2));
        Assert.Equal(0, recent.Count);
        Assert.True(recent.Capacity < 100, $"capacity {recent.Capacity} after the burst was forgotten");

        // A few thousand in the window never trim: the table is reused, not rebuilt on every tick.
        for (var i = 0; i < 3_000; i++) recent.Add(new SubmitToken(Guid.NewGuid(), 0), i, T0.AddMinutes(3));
        var steady = recent.Capacity;
        recent.Forget(T0.AddMinutes(5));
        Assert.Equal(steady, recent.Capacity);
    }

    [Fact]
    public void PastItsCapacity_TheOldestAreForgottenFirst()
    {
        var recent = new RecentSubmits(TimeSpan.FromHours(1), capacity: 3);
        var tokens = Enumerable.Range(0, 5).Select(i => new SubmitToken(Guid.NewGuid(), i)).ToArray();
        for (var i = 0; i < tokens.Length; i++) recent.Add(tokens[i], i, T0.AddSeconds(i));

        Assert.Equal(3, recent.Count);
        Assert.False(recent.TryGet(tokens[1], T0.AddSeconds(5), out _));
        Assert.True(recent.TryGet(tokens[2], T0.AddSeconds(5), out var kept));
        Assert.Equal(2, kept);
    }

    [Fact]
    public void ATokenAddedTwice_KeepsItsFirstTask()
    {
        var recent = new RecentSubmits(TimeSpan.FromMinutes(1), capacity: 10);
        var token = new SubmitToken(Guid.NewGuid(), 3);
        recent.Add(token, 1, T0);
        recent.Add(token, 2, T0.AddSeconds(1));

        Assert.True(recent.TryGet(token, T0.AddSeconds(2), out var sequence));
        Assert.Equal(1, sequence);
        Assert.Equal(1, recent.Count);
    }
}
