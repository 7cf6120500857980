using System.Diagnostics.Metrics;
using DistributedTaskQueue.Telemetry;

namespace DistributedTaskQueue.Tests.Grains.Telemetry;

/// <summary>A counter read when a listener collects: totals per tag set, nothing for a tag set never added to, nothing kept unheard.</summary>
public sealed class PulledCounterTests
{
    [Fact]
    public void AListenerCollects_TheTotalPerTagSet_AndOnlyNonZeroOnes()
    {
        using var meter = new Meter("pulled-" + Guid.NewGuid().ToString("N"));
        var counter = new PulledCounter<(string Queue, string Task)>(meter, "t.count", "{task}", "test", k => [new("queue", k.Queue), new("task", k.Task)]);
        using var listener = Listen(meter, out var seen);

        counter.Add(("a", "x"));
        counter.Add(("a", "x"));
        counter.Add(("b", "x"), 5);
        counter.Add(("b", "y"), 0);
        listener.RecordObservableInstruments();

        Assert.Equal(2, seen.Count);
        Assert.Equal(2, seen["a/x"]);
        Assert.Equal(5, seen["b/x"]);

        // Cumulative: the next collection reports the running totals, not what was added since.
        counter.Add(("a", "x"));
        seen.Clear();
        listener.RecordObservableInstruments();
        Assert.Equal(3, seen["a/x"]);
        Assert.Equal(5, seen["b/x"]);
    }

    [Fact]
    public void WithNoListener_AddsAreNotKept()
    {
        using var meter = new Meter("pulled-" + Guid.NewGuid().ToString("N"));
        var counter = new PulledCounter<(string Queue, string Task)>(meter, "t.count", "{task}", "test", k => [new("queue", k.Queue), new("task", k.Task)]);
        counter.Add(("a", "x"), 7);

        using var listener = Listen(meter, out var seen);
        counter.Add(("a", "x"));
        listener.RecordObservableInstruments();
        Assert.Equal(1, seen["a/x"]);
    }

    private static MeterListener Listen(Meter meter, out Dictionary<string, long> seen)
    {
        var collected = new Dictionary<string, long>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var queue = tags.ToArray().Single(t => t.Key == "queue").Value;
            var task = tags.ToArray().Single(t => t.Key == "task").Value;
            collected[$"{queue}/{task}"] = value;
        });
        listener.Start();
        seen = collected;
        return listener;
    }
}
