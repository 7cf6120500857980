using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// What the schedule integration tests start from: a fake schedule clock at <see cref="Start"/> (the grains' other
/// clocks stay real), a service id of the test's own, so a cluster started again finds what the last one stored, and
/// clusters on the fixture's Redis.
/// </summary>
public abstract class ScheduleClusterTest(RedisFixture fixture)
{
    protected static readonly DateTimeOffset Start = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected RedisFixture Fixture { get; } = fixture;

    protected FakeTimeProvider Time { get; } = new(Start);

    protected string ServiceId { get; } = Guid.NewGuid().ToString("N");

    protected Task<TaskQueueCluster> StartAsync(string[]? queues = null) =>
        TaskQueueCluster.StartAsync(Fixture.Redis, queues ?? [], serviceId: ServiceId,
            services: s => s.AddKeyedSingleton<TimeProvider>(ScheduleOptions.ClockServiceKey, Time));

    protected static async Task<long> PendingAsync(TaskQueueCluster cluster, string queue) =>
        (await cluster.Client.GetQueueStatsAsync(queue)).Pending;
}
