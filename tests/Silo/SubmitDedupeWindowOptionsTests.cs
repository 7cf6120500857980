using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// A retried submit finds its first task only while the partition remembers its token (<c>TaskQueue:SubmitDedupeWindow</c>),
/// and a client keeps retrying for <c>TaskQueue:SubmitTimeout</c>. Both are read from the same <c>TaskQueue</c> section by a
/// silo (whose own client serves the JSON API), so a silo must refuse a window no longer than the submit timeout.
/// </summary>
public sealed class SubmitDedupeWindowOptionsTests
{
    [Fact]
    public void ASiloWhoseSubmitTimeoutOutlastsItsDedupeWindow_IsRefused_NamingBothKeys()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Valid for a client (1 s..10 min), and the window keeps its default (1 min).
        builder.Configuration["TaskQueue:SubmitTimeout"] = "00:02:00";
        builder.UseTaskQueueSilo(silo =>
        {
            silo.SiloPort = RedisServer.FreePort();
            silo.GatewayPort = RedisServer.FreePort();
        });
        using var host = builder.Build();
        var shared = host.Services.GetRequiredService<IOptions<TaskQueueOptions>>().Value;

        // What the accepted pair does: a submit whose first attempt was written just before its partition's host died is
        // retried for 2 min, but the partition forgets its token after 1 min and makes a second task.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var window = TimeSpan.FromMinutes(1);
        var partition = new QueuePartition("q", 0, new PartitionOptions(), RetryPolicy.None, () => 0.5);
        var submission = new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray(), Token = new SubmitToken(Guid.NewGuid(), 0) };
        var first = partition.Submit(submission, time.GetUtcNow());
        time.Advance(window + TimeSpan.FromSeconds(1));
        Assert.True(window + TimeSpan.FromSeconds(1) < shared.SubmitTimeout); // the client is still retrying
        var retried = partition.Submit(submission, time.GetUtcNow());
        Assert.NotEqual(first, retried); // a second task: what the configuration check must rule out

        var refused = Assert.ThrowsAny<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<PartitionOptions>>().Value);
        Assert.Contains("TaskQueue:SubmitDedupeWindow", refused.Message, StringComparison.Ordinal);
        Assert.Contains("TaskQueue:SubmitTimeout", refused.Message, StringComparison.Ordinal);
    }
}
