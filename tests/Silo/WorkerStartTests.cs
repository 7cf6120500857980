using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The worker starts leasing once the silo is active, not once every hosted service of the app has started: a service
/// the app registered after the silo (here one that holds its start until released) does not hold consuming back.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class WorkerStartTests
{
    [Fact]
    public async Task TheWorkerServes_WhileAServiceRegisteredAfterTheSiloIsStillStarting()
    {
        var gate = new HeldStart();
        var logs = new LogCapture();
        var starting = WebSilo.StartAsync(["worker-start"], logs: logs, services: s => s.AddHostedService(_ => gate));
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

    [Fact]
    public async Task WithWaitForApplicationStarted_TheWorkerServesOnlyOnceEveryHostedServiceStarted()
    {
        var gate = new HeldStart();
        var logs = new LogCapture();
        var starting = WebSilo.StartAsync(["worker-start-late"], s => s.Worker.WaitForApplicationStarted = true, logs: logs, services: s => s.AddHostedService(_ => gate));
        bool Serving() => logs.Entries.Any(e => e.Category.EndsWith(".TaskWorker", StringComparison.Ordinal) && e.Message.Contains("serving worker-start-late", StringComparison.Ordinal));
        try
        {
            // The held service starts after the silo (hosted services start in order), so the silo is active by now.
            await gate.Starting.WaitAsync(TimeSpan.FromSeconds(30));
            // The other test's worker serves within a fraction of a second of this point; this one must not.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(Serving());
        }
        finally
        {
            gate.Release();
        }
        await using var silo = await starting;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Serving() && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
        Assert.True(Serving());
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
