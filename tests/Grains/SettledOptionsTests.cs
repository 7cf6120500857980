using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>Settled values reach the options system whole: every property, lists copied, later Configure calls on top.</summary>
public sealed class SettledOptionsTests
{
    [Fact]
    public void ConfigureFrom_CarriesEveryProperty_AndCopiesLists()
    {
        var values = new WorkerOptions
        {
            WorkerId = "w",
            Queues = ["a", "b"],
            MaxConcurrentTasks = 3,
            PollingInterval = TimeSpan.FromSeconds(4),
            TaskTimeout = TimeSpan.FromSeconds(5),
            AutoRetry = false,
            HeartbeatInterval = TimeSpan.FromSeconds(6),
            ShutdownGracePeriod = TimeSpan.FromSeconds(7),
            ReportInterval = TimeSpan.FromSeconds(8),
            StartAtSiloActive = true,
        };
        var services = new ServiceCollection();
        services.AddOptions<WorkerOptions>().ConfigureFrom(values);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<WorkerOptions>>().Value;

        var defaults = new WorkerOptions();
        foreach (var property in typeof(WorkerOptions).GetProperties())
        {
            // Every property differs from its default above, so one the copy missed would show here.
            Assert.NotEqual(property.GetValue(defaults), property.GetValue(values));
            Assert.Equivalent(property.GetValue(values), property.GetValue(options), strict: true);
        }
        Assert.NotSame(values.Queues, options.Queues);
    }

    [Fact]
    public void ConfigureFrom_LetsALaterConfigureChangeTheValues()
    {
        var services = new ServiceCollection();
        services.AddOptions<PartitionOptions>().ConfigureFrom(new PartitionOptions { MaxResidentTasks = 1000, LeaseDuration = TimeSpan.FromMinutes(1) });
        services.Configure<PartitionOptions>(o => o.MaxResidentTasks = 2000);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PartitionOptions>>().Value;

        Assert.Equal(2000, options.MaxResidentTasks);
        Assert.Equal(TimeSpan.FromMinutes(1), options.LeaseDuration);
    }
}
