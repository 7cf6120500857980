using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>AddTaskQueueClient in a host that is itself a task-queue silo (the JSON API tests run such a host end to end).</summary>
public sealed class CoHostedClientTests
{
    [Fact]
    public void AddTaskQueueClient_InASilosHost_UsesTheSilosSettings_AndRefusesAConfigureItCouldNotApply()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseTaskQueueSilo(silo => silo.Options.PartitionsPerQueue = 3);

        builder.Services.AddTaskQueueClient();
        var refused = Assert.Throws<InvalidOperationException>(() => builder.Services.AddTaskQueueClient(o => o.PartitionsPerQueue = 5));
        using var host = builder.Build();

        Assert.Contains("UseTaskQueueSilo", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, host.Services.GetRequiredService<TaskClient>().Options.PartitionsPerQueue);
    }
}
