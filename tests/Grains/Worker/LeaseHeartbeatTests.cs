using System.Threading.Channels;
using DistributedTaskQueue.Worker;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains.Worker;

/// <summary>
/// The lease heartbeat on a fake clock: a renewal that never answers (its partition's silo died or froze holding it) is
/// given up after one interval and the next one goes at once, so a live worker's renewals keep reaching a failover's new
/// activation within its hold-back. The calls complete inline when the clock is advanced; the bounded waits below only
/// keep a broken build from hanging the run.
/// </summary>
public sealed class LeaseHeartbeatTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private static readonly LeaseToken Held = new(7, 1, 1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Channel<(DateTimeOffset At, TaskCompletionSource<LeaseToken[]> Answer)> _calls = Channel.CreateUnbounded<(DateTimeOffset, TaskCompletionSource<LeaseToken[]>)>();
    private readonly List<Exception> _failures = [];
    private readonly List<LeaseToken> _lost = [];
    private readonly CancellationTokenSource _stop = new();
    private LeaseToken[] _running = [Held];

    private Task Start() =>
        new LeaseHeartbeat(Interval, _time, () => _running, _ =>
        {
            var answer = new TaskCompletionSource<LeaseToken[]>();
            _calls.Writer.TryWrite((_time.GetUtcNow(), answer));
            return answer.Task;
        }, _lost.AddRange, _failures.Add).RunAsync(_stop.Token);

    private async Task<(DateTimeOffset At, TaskCompletionSource<LeaseToken[]> Answer)> NextCallAsync() =>
        await _calls.Reader.ReadAsync().AsTask().WaitAsync(Guard);

    [Fact]
    public async Task ARenewalThatNeverAnswers_IsGivenUpAfterOneInterval_AndTheNextGoesAtOnce()
    {
        var start = _time.GetUtcNow();
        var beating = Start();

        _time.Advance(Interval);
        var first = await NextCallAsync(); // never answered
        Assert.Equal(start + Interval, first.At);

        _time.Advance(Interval);
        var second = await NextCallAsync();
        // Sent the moment the first was given up, not an interval after that.
        Assert.Equal(start + 2 * Interval, second.At);
        Assert.IsType<TimeoutException>(Assert.Single(_failures));

        // Answered at once: the next one is due an interval after this one was sent.
        second.Answer.SetResult([]);
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(_calls.Reader.TryRead(out _));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var third = await NextCallAsync();
        Assert.Equal(start + 3 * Interval, third.At);
        Assert.Single(_failures);

        // The first call's late answer changes nothing.
        first.Answer.SetResult([Held]);
        Assert.Empty(_lost);

        await _stop.CancelAsync();
        third.Answer.SetResult([]);
        await beating.WaitAsync(Guard);
    }

    [Fact]
    public async Task LeasesThePartitionNoLongerHolds_AreReportedLost()
    {
        var beating = Start();
        _time.Advance(Interval);
        (await NextCallAsync()).Answer.SetResult([Held]);

        Assert.Equal([Held], _lost);
        Assert.Empty(_failures);
        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
    }

    [Fact]
    public async Task NoRunningAttempts_SendNothing()
    {
        _running = [];
        var beating = Start();
        _time.Advance(Interval * 3);

        Assert.False(_calls.Reader.TryRead(out _));
        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
    }

    public void Dispose() => _stop.Dispose();
}
