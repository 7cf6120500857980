using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// By default the worker starts leasing once the app has started (ApplicationStarted): a host whose start fails after
/// the silo's must not have taken work it then abandons. With <see cref="WorkerOptions.StartAtSiloActive"/> (the stock
/// silo's setting) it leases as soon as the silo is active, though services registered after it are still starting.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class WorkerStartTests
{
    [Fact]
    public async Task AHostWhoseStartFails_RunsNoTask()
    {
        const string queue = "worker-start-fails";
        FailingStart? failing = null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => WebSilo.StartAsync([queue],
            services: s => s.AddHostedService(sp => failing = new FailingStart(sp.GetRequiredService<TaskClient>(), queue))));

        // Until the app has started, its worker must not take work: a host that fails to start (a port in use, a service
        // of the app that throws) is torn down without the worker's graceful stop, so what it leased is abandoned
        // mid-run, to run again only once its lease runs out; and its handlers may need what never started.
        Assert.NotNull(failing?.Seen);
        Assert.Equal(TaskState.Pending, failing.Seen.State);
        Assert.Equal(0, failing.Seen.Attempts);
    }

    [Fact]
    public async Task WithStartAtSiloActive_TheWorkerServes_WhileAServiceRegisteredAfterTheSiloIsStillStarting()
    {
        var gate = new HeldStart();
        var logs = new LogCapture();
        var starting = WebSilo.StartAsync(["worker-start"], s => s.Worker.StartAtSiloActive = true, logs: logs, services: s => s.AddHostedService(_ => gate));
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!logs.Entries.Any(e => e.Category.EndsWith(".TaskWorker", StringComparison.Ordinal) && e.Message.Contains("serving worker-start", StringComparison.Ordinal))
                   && clock.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(50);
            Assert.Contains(logs.Entries, e => e.Message.Contains("serving worker-start", StringComparison.Ordinal));
            Assert.False(starting.IsCompleted);
        }
        finally
        {
            gate.Release();
            await (await starting).DisposeAsync();
        }
    }

    /// <summary>
    /// A service of the app, registered after the silo, whose start fails: it submits a task first (grain calls work once
    /// the silo is active) and gives a worker that leases before the app started the time to run it.
    /// </summary>
    private sealed class FailingStart(TaskClient client, string queue) : IHostedService
    {
        public TaskInfo? Seen { get; private set; }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var id = await client.SubmitAsync("dtq.echo", "1", queue);
            try
            {
                await client.WaitAsync(id, TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (TaskTimeoutException)
            {
                // Not run: what a host that has not started should do.
            }
            Seen = await client.GetTaskAsync(id);
            throw new InvalidOperationException("This app's start fails after the silo's.");
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class HeldStart : IHostedService
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private readonly TaskCompletionSource _starting = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the host calls this service's start (every service registered before it has started).</summary>
        public Task Starting => _starting.Task;

        public void Release() => _released.TrySetResult();

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _starting.TrySetResult();
            return _released.Task.WaitAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
