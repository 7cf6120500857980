using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Client;

/// <summary>Which partitions new submits pass over after an attempt to them failed (a fake clock; no cluster).</summary>
public sealed class PartitionAvailabilityTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void NothingMarked_KeepsThePreferredPartition()
    {
        var availability = new PartitionAvailability(_time);
        Assert.Equal(2, availability.Choose("q", 2, 4));
    }

    [Fact]
    public void AFailedPartition_IsPassedOverForTheNextOne_OfThatQueueOnly()
    {
        var availability = new PartitionAvailability(_time);
        availability.Failed("q", 1);
        Assert.Equal(2, availability.Choose("q", 1, 4));
        Assert.Equal(0, availability.Choose("q", 0, 4));
        Assert.Equal(1, availability.Choose("other", 1, 4));
        availability.Failed("q", 2);
        Assert.Equal(3, availability.Choose("q", 1, 4));
        availability.Failed("q", 3);
        Assert.Equal(0, availability.Choose("q", 3, 4)); // wraps around
    }

    [Fact]
    public void AnAnswer_EndsTheMark_AtOnce()
    {
        var availability = new PartitionAvailability(_time);
        availability.Failed("q", 0);
        availability.Answered("q", 0);
        Assert.Equal(0, availability.Choose("q", 0, 2));
    }

    [Fact]
    public void AMark_EndsAfterMarkFor_UnlessAFailureRefreshedIt()
    {
        var availability = new PartitionAvailability(_time);
        availability.Failed("q", 0);
        _time.Advance(PartitionAvailability.MarkFor - TimeSpan.FromSeconds(1));
        availability.Failed("q", 0); // a submit waiting on it failed again
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, availability.Choose("q", 0, 2));
        _time.Advance(PartitionAvailability.MarkFor);
        Assert.Equal(0, availability.Choose("q", 0, 2)); // a new submit may try it again
    }

    [Fact]
    public void EveryPartitionMarked_KeepsThePreferredOne()
    {
        var availability = new PartitionAvailability(_time);
        availability.Failed("q", 0);
        availability.Failed("q", 1);
        Assert.Equal(1, availability.Choose("q", 1, 2));
        Assert.Equal(0, availability.Choose("q", 0, 1));
    }

    [Fact]
    public void Marks_AreBounded_AndExpiredOnesMakeRoom()
    {
        var availability = new PartitionAvailability(_time);
        for (var i = 0; i < 5000; i++) availability.Failed($"q{i}", 0);
        Assert.Equal(0, availability.Choose("q4999", 0, 2)); // past the bound: not marked, nothing grew
        Assert.Equal(1, availability.Choose("q0", 0, 2));
        _time.Advance(PartitionAvailability.MarkFor + TimeSpan.FromSeconds(1));
        availability.Failed("late", 0);
        Assert.Equal(1, availability.Choose("late", 0, 2));
    }
}
