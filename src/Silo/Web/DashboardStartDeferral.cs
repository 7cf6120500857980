// Orleans.Dashboard 10.4.2 does start-up work of its own in the silo's start path: at lifecycle stage 19999 (just
// before Active) it builds an OpenTelemetry meter provider over the runtime's instruments, and as a hosted service it
// activates its grain and its silo grain service, which put ~0.2 s of CPU (JIT, type loading) right where the worker
// takes its first tasks (perf, bench `throughput`, issue 13). None of it is needed before someone opens the dashboard:
// its grain activates on first use anyway. So the dashboard's lifecycle work moves to just after Active, and its
// hosted service starts once the host has started (ApplicationStarted), in the background.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistributedTaskQueue;

/// <summary>Moves the Orleans dashboard's start-up work out of the silo's start path.</summary>
internal static class DashboardStartDeferral
{
    /// <summary>
    /// Wraps the lifecycle participants and hosted services registered from <paramref name="addedFrom"/> on (what
    /// <c>AddDashboard</c> added), in place, so registration order is kept.
    /// </summary>
    public static void Apply(IServiceCollection services, int addedFrom)
    {
        ArgumentNullException.ThrowIfNull(services);
        for (var i = addedFrom; i < services.Count; i++)
        {
            var registered = services[i];
            if (registered.IsKeyedService || registered.Lifetime != ServiceLifetime.Singleton) continue;
            if (registered.ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>))
                services[i] = ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new AfterActive(Resolve<ILifecycleParticipant<ISiloLifecycle>>(sp, registered)));
            else if (registered.ServiceType == typeof(IHostedService))
                services[i] = ServiceDescriptor.Singleton<IHostedService>(sp => new StartedLater(Resolve<IHostedService>(sp, registered), sp.GetRequiredService<IHostApplicationLifetime>()));
        }
    }

    private static T Resolve<T>(IServiceProvider services, ServiceDescriptor registered) where T : class =>
        (T)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.GetServiceOrCreateInstance(services, registered.ImplementationType!));

    /// <summary>A participant whose start-up stages before Active run right after it instead.</summary>
    private sealed class AfterActive(ILifecycleParticipant<ISiloLifecycle> inner) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => inner.Participate(new Shifted(lifecycle));

        private sealed class Shifted(ISiloLifecycle lifecycle) : ISiloLifecycle
        {
            public int HighestCompletedStage => lifecycle.HighestCompletedStage;

            public int LowestStoppedStage => lifecycle.LowestStoppedStage;

            public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer) =>
                lifecycle.Subscribe(observerName, stage < ServiceLifecycleStage.Active ? ServiceLifecycleStage.Active + 1 : stage, observer);
        }
    }

    /// <summary>A hosted service started in the background once every hosted service has started.</summary>
    private sealed class StartedLater(IHostedService inner, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        private CancellationTokenRegistration _onStarted;
        private Task _started = Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _onStarted = lifetime.ApplicationStarted.Register(() => _started = Task.Run(() => inner.StartAsync(_stopping.Token), CancellationToken.None));
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await _onStarted.DisposeAsync().ConfigureAwait(false);
            await _stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped before its start finished: nothing of it to keep.
            }
            await inner.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        public void Dispose()
        {
            _onStarted.Dispose();
            _stopping.Dispose();
        }
    }
}
