using System.Net;
using System.Reflection;
using DistributedTaskQueue.Execution;
using DistributedTaskQueue.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// A silo's whole worker (<see cref="TaskWorker"/>, its consumers, lanes and the real executor grain class) without a
/// silo: the grain factory hands out a scripted partition, a catalog and the executor, and the clock is fake.
/// </summary>
public sealed class WorkerHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly TaskWorker _worker;
    private readonly WorkerMetrics _metrics;

    public WorkerHarness(Action<WorkerOptions> configure, Action<IServiceCollection> handlers, params Type[] handlerTypes)
    {
        var collection = new ServiceCollection();
        collection.AddMetrics();
        handlers(collection);
        _services = collection.BuildServiceProvider();
        var options = new WorkerOptions { Queues = ["q"], MaxConcurrentTasks = 4 };
        configure(options);
        var registry = new TaskHandlerRegistry(handlerTypes.SelectMany(TaskHandlerDescriptor.For), _services);
        var executor = new TaskExecutor(registry, _services, Options.Create(new PartitionOptions()), Time, NullLoggerFactory.Instance);
        var lanes = new ExecutionLanes();
        var grains = DispatchProxy.Create<IGrainFactory, FactoryProxy>();
        ((FactoryProxy)(object)grains).Set(Partition, Catalog, Directory, new TaskExecutorGrain(executor, lanes, Time));
        var silo = DispatchProxy.Create<ILocalSiloDetails, SiloProxy>();
        _metrics = new WorkerMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        _worker = new TaskWorker(grains, lanes, registry, _metrics, Options.Create(options), Options.Create(new TaskQueueOptions()), silo,
            new StartedLifetime(), new SiloActiveSignal(), Time, new WorkerProgress(Time), NullLogger<TaskWorker>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public ScriptedPartition Partition { get; } = new();

    public FakeCatalog Catalog { get; } = new();

    public FakeWorkerDirectory Directory { get; } = new();

    public Task StartAsync() => _worker.StartAsync(CancellationToken.None);

    /// <summary>Stops the worker as the host does, and waits for its whole shutdown (ExecuteAsync's end).</summary>
    public async Task StopAsync()
    {
        await _worker.StopAsync(CancellationToken.None);
        if (_worker.ExecuteTask is { } run) await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits (on the real clock, yielding) until <paramref name="done"/> holds, advancing the fake clock by <paramref name="step"/> each turn.</summary>
    public async Task UntilAsync(Func<bool> done, TimeSpan step = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "condition not reached within 20 s");
            if (step > TimeSpan.Zero) Time.Advance(step);
            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _worker.Dispose();
        _metrics.Dispose();
        await _services.DisposeAsync();
    }

    public static LeasedTask Leased(string name, long sequence, TimeSpan? timeout = null) =>
        new(new TaskId("q", 0, sequence), name, "{}"u8.ToArray(), new LeaseToken(sequence, 1, 1), timeout, DateTimeOffset.UnixEpoch);

    /// <summary>A partition that hands out what the test gives it and records what comes back.</summary>
    public sealed class ScriptedPartition : ITaskQueueGrain
    {
        private readonly Lock _gate = new();
        private readonly Queue<LeasedTask> _pending = new();
        private readonly List<TaskCompletion> _completed = [];
        private TaskCompletionSource<LeasedTask[]>? _parked;
        private int _max;

        /// <summary>Decides each CompleteAsync call (its number from 1): throw to fail it.</summary>
        public Action<int> OnComplete { get; set; } = _ => { };

        public int CompleteCalls { get; private set; }

        public TaskCompletion[] Completed
        {
            get
            {
                lock (_gate) return [.. _completed];
            }
        }

        public void Add(params LeasedTask[] tasks)
        {
            TaskCompletionSource<LeasedTask[]>? parked;
            LeasedTask[] served = [];
            lock (_gate)
            {
                foreach (var task in tasks) _pending.Enqueue(task);
                parked = _parked;
                _parked = null;
                if (parked is not null) served = Take(_max);
            }
            parked?.TrySetResult(served);
        }

        /// <summary>Cancels each task it hands out before the reply leaves (the cancel overtakes the lease reply).</summary>
        public bool CancelBeforeReply { get; set; }

        /// <summary>Where the worker hears cancels (it travels with every lease call).</summary>
        public ILeaseHolder? Holder { get; private set; }

        /// <summary>At StopWaitingAsync, a parked call is granted what is pending and then fails: its reply is lost.</summary>
        public bool LoseReplyAtStop { get; set; }

        /// <summary>Tasks granted to a lease call whose reply was lost, by its number (a retry gets them back).</summary>
        private readonly Dictionary<long, LeasedTask[]> _lostReplies = [];
        private long _parkedRequest;

        /// <summary>Tasks a retried lease call asking for none put back in line (as Reclaim does past its max).</summary>
        public List<LeasedTask> PutBack { get; } = [];

        public Task<LeasedTask[]> LeaseAsync(string workerId, long requestId, int max, TimeSpan wait, ILeaseHolder? holder)
        {
            lock (_gate)
            {
                Holder = holder ?? Holder;
                if (_lostReplies.Remove(requestId, out var lost))
                {
                    PutBack.AddRange(lost.Skip(max));
                    return Task.FromResult(lost.Take(max).ToArray());
                }
                if (_pending.Count > 0 || wait <= TimeSpan.Zero)
                {
                    var taken = Take(max);
                    if (CancelBeforeReply && taken.Length > 0) holder?.CancelAsync([.. taken.Select(t => t.Lease)]);
                    return Task.FromResult(taken);
                }
                _max = max;
                _parkedRequest = requestId;
                _parked = new(TaskCreationOptions.RunContinuationsAsynchronously);
                return _parked.Task;
            }
        }

        /// <summary>The batches CompleteAsync was called with, failed ones included.</summary>
        public List<TaskCompletion[]> Batches { get; } = [];

        /// <summary>Awaited by every CompleteAsync call before it is decided (a partition that is slow to answer).</summary>
        public Task Hold { get; set; } = Task.CompletedTask;

        public async Task CompleteAsync(string workerId, TaskCompletion[] completions)
        {
            int call;
            lock (_gate)
            {
                call = ++CompleteCalls;
                Batches.Add(completions);
            }
            await Hold;
            OnComplete(call);
            lock (_gate) _completed.AddRange(completions);
        }

        public Task<LeaseToken[]> RenewAsync(string workerId, LeaseToken[] leases) => Task.FromResult<LeaseToken[]>([]);

        public Task StopWaitingAsync(string workerId)
        {
            TaskCompletionSource<LeasedTask[]>? parked;
            lock (_gate)
            {
                parked = _parked;
                _parked = null;
                if (parked is not null && LoseReplyAtStop)
                {
                    _lostReplies[_parkedRequest] = Take(Math.Max(_max, 1));
                    parked.TrySetException(new TimeoutException("the reply was lost"));
                    return Task.CompletedTask;
                }
            }
            parked?.TrySetResult([]);
            return Task.CompletedTask;
        }

        /// <summary>Adds tasks without waking a parked call (they wait for the next one).</summary>
        public void AddQuietly(params LeasedTask[] tasks)
        {
            lock (_gate)
            {
                foreach (var task in tasks) _pending.Enqueue(task);
            }
        }

        public Task<TaskId[]> SubmitAsync(TaskSubmission[] tasks) => throw new NotSupportedException();

        public Task<TaskInfo?> GetTaskAsync(long sequence) => throw new NotSupportedException();

        public Task<TaskInfo?> WaitAsync(long sequence, TimeSpan wait) => throw new NotSupportedException();

        public Task<QueueStats> GetStatsAsync() => throw new NotSupportedException();

        public Task<bool> CancelAsync(long sequence) => throw new NotSupportedException();

        public Task<TaskInfo[]> ListDeadLettersAsync(long after, int limit) => throw new NotSupportedException();

        public Task<int> RetryDeadLettersAsync(long[]? sequences, string? taskName) => throw new NotSupportedException();

        public Task<int> PurgeDeadLettersAsync(long[]? sequences, string? taskName) => throw new NotSupportedException();

        public Task SetPausedAsync(bool paused) => throw new NotSupportedException();

        public Task<TaskInfo[]> ListTasksAsync(TaskState state, int limit) => throw new NotSupportedException();

        public Task<int> PurgeAsync(string? taskName) => throw new NotSupportedException();

        private LeasedTask[] Take(int max)
        {
            var taken = new List<LeasedTask>();
            while (taken.Count < max && _pending.TryDequeue(out var task)) taken.Add(task);
            return [.. taken];
        }
    }

    public sealed class FakeCatalog : ITaskCatalogGrain
    {
        public Task RegisterAsync(string workerId, string[] taskNames, bool acceptsAnyName, string[] queues) => Task.CompletedTask;

        public Task UnregisterAsync(string workerId) => Task.CompletedTask;

        public Task<TaskCatalog> GetAsync() => throw new NotSupportedException();

        public Task<string[]> GetQueuesAsync() => throw new NotSupportedException();
    }

    /// <summary>Records the worker's reports; refuses them while <see cref="Refusing"/>.</summary>
    public sealed class FakeWorkerDirectory : IWorkerDirectoryGrain
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<WorkerInfo> _reports = new();
        private int _refused;
        private volatile bool _refusing;

        public bool Refusing
        {
            get => _refusing;
            set => _refusing = value;
        }

        public IReadOnlyList<WorkerInfo> Reports => [.. _reports];

        public int Refused => Volatile.Read(ref _refused);

        public string? Unregistered { get; private set; }

        public Task ReportAsync(WorkerInfo worker, TimeSpan interval)
        {
            if (_refusing)
            {
                Interlocked.Increment(ref _refused);
                return Task.FromException(new TimeoutException("The directory did not answer."));
            }
            _reports.Enqueue(worker);
            return Task.CompletedTask;
        }

        public Task UnregisterAsync(string workerId)
        {
            Unregistered = workerId;
            return Task.CompletedTask;
        }

        public Task<WorkerInfo[]> ListAsync() => throw new NotSupportedException();
    }

#pragma warning disable CA1852 // DispatchProxy derives from these.
    public class FactoryProxy : DispatchProxy
    {
        private object[] _grains = [];

        internal void Set(params object[] grains) => _grains = grains;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IGrainFactory.CreateObjectReference)) return args![0];
            if (targetMethod.Name == nameof(IGrainFactory.GetGrain) && targetMethod.IsGenericMethod)
            {
                var type = targetMethod.GetGenericArguments()[0];
                return _grains.First(type.IsInstanceOfType);
            }
            throw new NotSupportedException(targetMethod.Name);
        }
    }

    public class SiloProxy : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "get_SiloAddress" => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1),
            "get_Name" => "harness",
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
#pragma warning restore CA1852

    private sealed class StartedLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => new(canceled: true);

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
