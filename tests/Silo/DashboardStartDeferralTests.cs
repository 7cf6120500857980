using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// What the dashboard registers is moved out of the silo's start path: its lifecycle stages before Active run just after
/// it, its hosted service starts once the host has started; what was registered before is left alone.
/// </summary>
public sealed class DashboardStartDeferralTests
{
    [Fact]
    public void AParticipantsStagesBeforeActive_RunJustAfterIt_LaterOnesAndEarlierRegistrationsUnchanged()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new Participant(ServiceLifecycleStage.RuntimeInitialize));
        var before = services.Count;
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new Participant(ServiceLifecycleStage.Active - 1));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(_ => new Participant(int.MaxValue));
        DashboardStartDeferral.Apply(services, before);

        using var provider = services.BuildServiceProvider();
        var lifecycle = new RecordingLifecycle();
        foreach (var participant in provider.GetServices<ILifecycleParticipant<ISiloLifecycle>>()) participant.Participate(lifecycle);

        Assert.Equal([ServiceLifecycleStage.RuntimeInitialize, ServiceLifecycleStage.Active + 1, int.MaxValue], lifecycle.Stages);
    }

    [Fact]
    public async Task AHostedService_StartsOnlyOnceTheHostHasStarted_AndStopsAfterItsStart()
    {
        var lifetime = new Lifetime();
        var inner = new Service();
        var services = new ServiceCollection();
        services.AddSingleton<IHostApplicationLifetime>(lifetime);
        services.AddHostedService(_ => inner);
        DashboardStartDeferral.Apply(services, 1);

        await using var provider = services.BuildServiceProvider();
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        await hosted.StartAsync(CancellationToken.None);
        Assert.False(inner.Started.IsCompleted);

        await lifetime.StartedSource.CancelAsync();
        await inner.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await hosted.StopAsync(CancellationToken.None);
        Assert.True(inner.Stopped);
    }

    private sealed class Participant(int stage) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe("test", stage, _ => Task.CompletedTask);
    }

    private sealed class RecordingLifecycle : ISiloLifecycle
    {
        public List<int> Stages { get; } = [];

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            Stages.Add(stage);
            return new CancellationTokenSource();
        }
    }

    private sealed class Service : IHostedService
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public bool Stopped { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stopped = true;
            return Task.CompletedTask;
        }
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationTokenSource StartedSource { get; } = new();

        public CancellationToken ApplicationStarted => StartedSource.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
