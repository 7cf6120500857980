using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Execution;

/// <summary>
/// One partition consumer's line to its silo's executor grain: the consumer hands over every batch it leases, the grain
/// starts the attempts, and each outcome comes back here as the attempt ends. The grain is called once per session,
/// not per batch: a session opens with the first hand-over after a quiet spell, takes every hand-over in-process while
/// it is open, and ends once the lane has been quiet for <see cref="Linger"/> or is <see cref="MaxSession"/> old. At 8
/// slots a busy consumer refills one or two slots per lease, so a grain call per hand-over cost about 30 % of
/// throughput (docs/experiments/executor-grain); a call per busy period is not measurable.
/// </summary>
internal sealed partial class ExecutionLane
{
    /// <summary>How long a lane must be quiet (nothing handed over, nothing running) before its session ends.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest session; the next hand-over opens a new one. Below Orleans' RequestProcessingWarningTime (20 s), past
    /// which the silo reports a call as slow every few seconds, and well below the call's response timeout.
    /// </summary>
    public static readonly TimeSpan MaxSession = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<LeasedTask> _waiting = [];
    private readonly ExecutionLanes _lanes;
    private readonly ITaskExecutorGrain _executor;
    private readonly IExecutionListener _listener;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private State _state;
    private long _session;
    private IAttemptRunner? _runner;
    private long _openedAt;
    private int _sessionAttempts;
    private long _quietSince;
    private int _running;
    private Task _calls = Task.CompletedTask;

    private enum State
    {
        /// <summary>No session: the next hand-over asks for one.</summary>
        Idle,

        /// <summary>A session was asked for and the grain has not opened it yet: hand-overs wait for it.</summary>
        Calling,

        /// <summary>The grain serves a session: hand-overs go straight to it.</summary>
        Open,

        /// <summary>The consumer stopped: nothing more is handed over.</summary>
        Closed,
    }

    /// <param name="lanes">The silo's lanes, where the executor grain finds this one by its key.</param>
    /// <param name="executor">The silo's executor grain (a stateless worker: the local one).</param>
    /// <param name="listener">The consumer: attempts' tokens, and their outcomes.</param>
    /// <param name="workerId">Who holds the leases (handlers see it in their context).</param>
    /// <param name="defaultTimeout">The timeout of an attempt whose task sets none.</param>
    /// <param name="time">The silo's clock.</param>
    /// <param name="logger">Where failed executor calls are logged.</param>
    /// <param name="stopping">Fires when the worker's shutdown grace period is over: attempts still running end Released.</param>
    public ExecutionLane(ExecutionLanes lanes, ITaskExecutorGrain executor, IExecutionListener listener, string workerId, TimeSpan defaultTimeout, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        _lanes = lanes;
        _executor = executor;
        WorkerId = workerId;
        DefaultTimeout = defaultTimeout;
        Stopping = stopping;
        _listener = listener;
        _time = time;
        _logger = logger;
        _quietSince = time.GetTimestamp();
        Key = lanes.Add(this);
    }

    /// <summary>This lane's key in its silo's <see cref="ExecutionLanes"/>.</summary>
    public long Key { get; }

    public string WorkerId { get; }

    public TimeSpan DefaultTimeout { get; }

    public CancellationToken Stopping { get; }

    /// <summary>The token a remote cancel or a lost lease of this attempt fires.</summary>
    public CancellationToken CancellationOf(LeaseToken attempt) => _listener.CancellationOf(attempt);

    /// <summary>
    /// Hands leased attempts to the executor: straight to the session when one is open, else they wait for the session
    /// this asks for (or one already asked for). Each comes back through <see cref="IExecutionListener.Finished"/>.
    /// </summary>
    public void HandOver(LeasedTask[] batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Length == 0) return;
        IAttemptRunner? runner = null;
        var ask = 0L;
        lock (_gate)
        {
            if (_state == State.Closed) throw new InvalidOperationException($"Execution lane {Key} is closed.");
            // Counted here, under the lock: a session never ends between a hand-over and its start.
            _running += batch.Length;
            switch (_state)
            {
                case State.Open:
                    runner = _runner;
                    _sessionAttempts += batch.Length;
                    break;
                case State.Idle:
                    _state = State.Calling;
                    ask = ++_session;
                    _waiting.AddRange(batch);
                    break;
                default:
                    _waiting.AddRange(batch);
                    break;
            }
        }
        if (runner is not null)
        {
            foreach (var task in batch) runner.Start(task, this);
        }
        else if (ask != 0)
        {
            // Only the consumer's loop hands over, so only it writes _calls (and CloseAsync, after the loop ended).
            var previous = _calls;
            var call = CallAsync(ask);
            _calls = previous.IsCompleted ? call : Task.WhenAll(previous, call);
        }
    }

    /// <summary>The grain opens the session asked for and starts what waited for it.</summary>
    /// <exception cref="InvalidOperationException">That session is not the one waiting to open: nothing started.</exception>
    public void Open(long session, IAttemptRunner runner)
    {
        LeasedTask[] waiting;
        lock (_gate)
        {
            if (_state != State.Calling || _session != session)
                throw new InvalidOperationException($"Session {session} of execution lane {Key} is not waiting to open (the lane is {_state}, session {_session}).");
            _state = State.Open;
            _runner = runner;
            _openedAt = _time.GetTimestamp();
            _sessionAttempts = _waiting.Count;
            waiting = [.. _waiting];
            _waiting.Clear();
        }
        foreach (var task in waiting) runner.Start(task, this);
    }

    /// <summary>
    /// Ends the session when the lane has been quiet for <see cref="Linger"/> or the session is <see cref="MaxSession"/>
    /// old, and returns zero (also when it ended otherwise); else returns how long to wait before asking again.
    /// </summary>
    public TimeSpan EndOrWait(long session)
    {
        TimeSpan age;
        int attempts;
        lock (_gate)
        {
            if (_state != State.Open || _session != session) return TimeSpan.Zero;
            age = _time.GetElapsedTime(_openedAt);
            var quiet = _running == 0 ? _time.GetElapsedTime(_quietSince) : TimeSpan.Zero;
            if (quiet < Linger && age < MaxSession)
            {
                var wait = Linger - quiet;
                return wait < MaxSession - age ? wait : MaxSession - age;
            }
            // Attempts still running go on: their outcomes come back here, not through the session.
            _state = State.Idle;
            _runner = null;
            attempts = _sessionAttempts;
        }
        LogSessionEnded(Key, session, attempts, age.TotalMilliseconds);
        return TimeSpan.Zero;
    }

    /// <summary>Waits <paramref name="wait"/>, or less when the lane closes.</summary>
    public Task WaitAsync(TimeSpan wait) => Task.WhenAny(Task.Delay(wait, _time), _closed.Task);

    /// <summary>An attempt the grain started ended.</summary>
    public void Finished(LeasedTask task, TaskCompletion? completion, TimeSpan duration)
    {
        lock (_gate)
        {
            if (--_running == 0) _quietSince = _time.GetTimestamp();
        }
        _listener.Finished(task, completion, duration);
    }

    /// <summary>
    /// Closes the lane once its consumer has stopped handing over and its attempts have ended: ends an open session at
    /// once, waits for the grain calls still under way, and leaves the silo's lanes.
    /// </summary>
    public async Task CloseAsync()
    {
        LeasedTask[] orphans;
        lock (_gate)
        {
            _state = State.Closed;
            _runner = null;
            orphans = TakeWaiting();
        }
        _closed.TrySetResult();
        HandBack(orphans);
        await _calls.ConfigureAwait(false);
        _lanes.Remove(Key);
    }

    private async Task CallAsync(long session)
    {
        try
        {
            await _executor.ServeAsync(Key, session).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LeasedTask[] orphans = [];
            var ended = false;
            lock (_gate)
            {
                if (_session == session && _state is State.Calling or State.Open)
                {
                    // Calling: the call failed before the grain opened the session, so what waited never started.
                    // Open: the call failed (or its reply is late) while the session was open: end it here, so the next
                    // hand-over asks for a new one; what it started reports itself.
                    orphans = TakeWaiting();
                    _state = State.Idle;
                    _runner = null;
                    ended = true;
                }
            }
            if (orphans.Length > 0) LogHandOverFailed(ex, orphans.Length, Key);
            else if (ended) LogSessionFailed(ex, Key);
            HandBack(orphans);
        }
    }

    /// <summary>Takes what waits for a session (under the lock): it never started, and is no longer counted running.</summary>
    private LeasedTask[] TakeWaiting()
    {
        LeasedTask[] waiting = [.. _waiting];
        _waiting.Clear();
        _running -= waiting.Length;
        if (_running == 0) _quietSince = _time.GetTimestamp();
        return waiting;
    }

    /// <summary>Attempts that never started go back to the partition (no failure counted).</summary>
    private void HandBack(LeasedTask[] attempts)
    {
        foreach (var task in attempts) _listener.Finished(task, new TaskCompletion(task.Lease, new TaskOutcome.Released()), TimeSpan.Zero);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Execution lane {Lane} session {Session} ended: {Attempts} attempts in {Milliseconds:0} ms")]
    private partial void LogSessionEnded(long lane, long session, int attempts, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The executor grain call for execution lane {Lane} failed before it started {Count} attempts; they are handed back")]
    private partial void LogHandOverFailed(Exception exception, int count, long lane);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The executor grain call serving execution lane {Lane} failed; the next hand-over opens a new session")]
    private partial void LogSessionFailed(Exception exception, long lane);
}
