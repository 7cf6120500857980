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

    private sealed class HeldStart : IHostedService
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public Task StartAsync(CancellationToken cancellationToken) => _released.Task.WaitAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
