using System.Collections.Concurrent;
using System.Threading.Channels;
using DistributedTaskQueue.Worker;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains.Worker;

/// <summary>
/// The lease heartbeat on a fake clock: a renewal that never answers (its partition's silo died or froze holding it) is
/// given up after one interval and the next one goes at once, so a live worker's renewals keep reaching a failover's new
/// activation within its hold-back; a call given up on is still heard. Continuations may run on other threads, so the test waits (bounded) for each timer
/// the heartbeat arms before it moves the clock, and for each call or report before it looks at it.
/// </summary>
public sealed class LeaseHeartbeatTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private static readonly LeaseToken Held = new(7, 1, 1);

    private readonly FakeTimeProvider _fake = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ArmedClock _time;
    private readonly Channel<(DateTimeOffset At, TaskCompletionSource<LeaseToken[]> Answer)> _calls = Channel.CreateUnbounded<(DateTimeOffset, TaskCompletionSource<LeaseToken[]>)>();
    private readonly Channel<Exception> _failures = Channel.CreateUnbounded<Exception>();
    private readonly Channel<LeaseToken[]> _lost = Channel.CreateUnbounded<LeaseToken[]>();
    private readonly CancellationTokenSource _stop = new();
    private LeaseToken[] _running = [Held];

    public LeaseHeartbeatTests() => _time = new ArmedClock(_fake);

    private Task Start() =>
        new LeaseHeartbeat(Interval, _time, () => _running, _ =>
        {
            var answer = new TaskCompletionSource<LeaseToken[]>();
            _calls.Writer.TryWrite((_time.GetUtcNow(), answer));
            return answer.Task;
        }, lost => _lost.Writer.TryWrite(lost), ex => _failures.Writer.TryWrite(ex)).RunAsync(_stop.Token);

    private async Task<(DateTimeOffset At, TaskCompletionSource<LeaseToken[]> Answer)> NextCallAsync() =>
        await _calls.Reader.ReadAsync().AsTask().WaitAsync(Guard);

    /// <summary>Waits until the heartbeat has armed one more timer (a wait or a call's bound) since the last one seen.</summary>
    private async Task ArmedAsync() => Assert.True(await _time.Armed.WaitAsync(Guard), "the heartbeat armed no timer");

    [Fact]
    public async Task ARenewalThatNeverAnswers_IsGivenUpAfterOneInterval_AndTheNextGoesAtOnce()
    {
        var start = _fake.GetUtcNow();
        var beating = Start();

        await ArmedAsync(); // the first wait
        _fake.Advance(Interval);
        var first = await NextCallAsync(); // never answered
        Assert.Equal(start + Interval, first.At);
        await ArmedAsync(); // its bound

        _fake.Advance(Interval);
        var second = await NextCallAsync();
        // Sent the moment the first was given up, not an interval after that.
        Assert.Equal(start + 2 * Interval, second.At);
        Assert.IsType<TimeoutException>(await _failures.Reader.ReadAsync().AsTask().WaitAsync(Guard));
        await ArmedAsync(); // its bound

        // Answered at once: the next one is due an interval after this one was sent.
        second.Answer.SetResult([]);
        await ArmedAsync(); // the wait for the next beat
        _fake.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(_calls.Reader.TryRead(out _));
        _fake.Advance(TimeSpan.FromMilliseconds(1));
        var third = await NextCallAsync();
        Assert.Equal(start + 3 * Interval, third.At);
        Assert.False(_failures.Reader.TryRead(out _));
        // The second call's empty answer was acted on before the heartbeat went on: nothing was lost, so nobody is told.
        Assert.False(_lost.Reader.TryRead(out _));

        await _stop.CancelAsync();
        third.Answer.SetResult([]);
        await beating.WaitAsync(Guard);
    }

    [Fact]
    public async Task TheGiveUpBound_IsExactlyOneInterval()
    {
        var beating = Start();
        await ArmedAsync(); // the first wait
        Assert.True(_time.Dues.TryDequeue(out var wait));
        Assert.Equal(Interval, wait);
        _fake.Advance(Interval);
        var call = await NextCallAsync();
        await ArmedAsync(); // its bound
        // Shorter would report a slow partition's renewal as failed; longer would send the next renewal past a new
        // activation's hold-back (heartbeat + 0.5 s).
        Assert.True(_time.Dues.TryDequeue(out var bound));
        Assert.Equal(Interval, bound);

        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
        call.Answer.SetResult([]);
    }

    [Fact]
    public async Task ACallGivenUpOn_StillHasItsLostLeasesActedOn_WhenItAnswers()
    {
        var beating = Start();
        await ArmedAsync();
        _fake.Advance(Interval);
        var slow = await NextCallAsync();
        await ArmedAsync(); // its bound
        _fake.Advance(Interval);
        Assert.IsType<TimeoutException>(await _failures.Reader.ReadAsync().AsTask().WaitAsync(Guard));
        var next = await NextCallAsync();

        // A partition too slow for the heartbeat: its late answer still stops the attempt it no longer holds.
        slow.Answer.SetResult([Held]);
        Assert.Equal([Held], await _lost.Reader.ReadAsync().AsTask().WaitAsync(Guard));

        next.Answer.SetResult([]);
        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
        Assert.False(_failures.Reader.TryRead(out _));
    }

    [Fact]
    public async Task CallsThatNeverAnswer_AreSentNoFasterThanOneAnInterval()
    {
        var start = _fake.GetUtcNow();
        var beating = Start();
        await ArmedAsync();
        for (var beat = 1; beat <= 4; beat++)
        {
            _fake.Advance(Interval);
            Assert.Equal(start + beat * Interval, (await NextCallAsync()).At);
            await ArmedAsync(); // its bound
        }

        _fake.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(_calls.Reader.TryRead(out _));
        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
    }

    [Fact]
    public async Task Stopping_EndsTheHeartbeatAtOnce_WhileACallIsOutstanding_WithoutReportingIt()
    {
        var beating = Start();
        await ArmedAsync();
        _fake.Advance(Interval);
        var outstanding = await NextCallAsync();
        await ArmedAsync(); // its bound

        await _stop.CancelAsync();
        // The clock does not move: the heartbeat must not wait out the call's bound.
        await beating.WaitAsync(Guard);
        Assert.False(_failures.Reader.TryRead(out _));
        outstanding.Answer.SetResult([]);
    }

    [Fact]
    public async Task CallbacksThatThrow_AreReported_AndTheHeartbeatGoesOn()
    {
        var calls = 0;
        var beating = new LeaseHeartbeat(Interval, _time, () => ++calls switch
        {
            1 => throw new InvalidOperationException("running"),
            _ => [Held],
        }, _ => Task.FromResult<LeaseToken[]>([Held]), _ => throw new InvalidOperationException("lost"), ex =>
        {
            _failures.Writer.TryWrite(ex);
            throw new InvalidOperationException("failed");
        }).RunAsync(_stop.Token);

        await ArmedAsync();
        _fake.Advance(Interval);
        Assert.Equal("running", (await _failures.Reader.ReadAsync().AsTask().WaitAsync(Guard)).Message);
        await ArmedAsync(); // the next wait: neither throwing `running` nor throwing `failed` ended the heartbeat
        _fake.Advance(Interval);
        Assert.Equal("lost", (await _failures.Reader.ReadAsync().AsTask().WaitAsync(Guard)).Message);
        await ArmedAsync();
        _fake.Advance(Interval);
        Assert.Equal("lost", (await _failures.Reader.ReadAsync().AsTask().WaitAsync(Guard)).Message);
        Assert.False(beating.IsCompleted);

        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task LeasesThePartitionNoLongerHolds_AreReportedLost()
    {
        var beating = Start();
        await ArmedAsync();
        _fake.Advance(Interval);
        (await NextCallAsync()).Answer.SetResult([Held]);

        Assert.Equal([Held], await _lost.Reader.ReadAsync().AsTask().WaitAsync(Guard));
        Assert.False(_failures.Reader.TryRead(out _));
        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
    }

    [Fact]
    public async Task NoRunningAttempts_SendNothing()
    {
        _running = [];
        var beating = Start();
        for (var beat = 0; beat < 3; beat++)
        {
            await ArmedAsync();
            _fake.Advance(Interval);
        }

        await ArmedAsync(); // the fourth wait: three beats have run, none sent anything
        Assert.False(_calls.Reader.TryRead(out _));
        await _stop.CancelAsync();
        await beating.WaitAsync(Guard);
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>The fake clock, counting the timers armed on it (Task.Delay and WaitAsync each arm one).</summary>
    private sealed class ArmedClock(FakeTimeProvider inner) : TimeProvider
    {
        public SemaphoreSlim Armed { get; } = new(0);

        /// <summary>Each armed timer's due time, in the order armed.</summary>
        public ConcurrentQueue<TimeSpan> Dues { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = inner.CreateTimer(callback, state, dueTime, period);
            Dues.Enqueue(dueTime);
            Armed.Release();
            return timer;
        }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
    }
}
