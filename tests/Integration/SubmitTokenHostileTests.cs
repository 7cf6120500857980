using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Submit tokens as a caller that skips our client sends them (straight to the partition grain, real Redis). A token
/// names one item of one call; the partition answers a repeat with the first task's id. A token no client makes (the
/// default, empty one) must not merge two different tasks into one id.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class SubmitTokenHostileTests(RedisFixture fixture)
{
    private const string Queue = "tokens";

    [Fact]
    public async Task TwoDifferentSubmitsWithTheEmptyToken_AreNotAnsweredWithOneTask()
    {
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [Queue]);
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(Queue, 0));
        TaskSubmission Record(string label) => new()
        {
            TaskName = "test.record",
            Payload = System.Text.Encoding.UTF8.GetBytes($$"""{"label":"{{label}}"}"""),
            Token = default(SubmitToken), // Guid.Empty, index 0: what a caller that forgot to make one sends
        };

        TaskId? first = null, second = null;
        InvalidTaskException? refused = null;
        try
        {
            first = (await partition.SubmitAsync([Record("a")]))[0];
            second = (await partition.SubmitAsync([Record("b")]))[0];
        }
        catch (InvalidTaskException ex)
        {
            refused = ex;
        }

        // Either the empty token is refused, naming it, or each submit is its own task. Today the second submit is
        // answered with the first task's id: its payload is dropped while its caller holds an id it believes is its own.
        if (refused is not null)
        {
            Assert.Equal("Token", refused.Field);
            return;
        }
        Assert.NotEqual(first, second);
        Assert.Equal("b", await cluster.Client.WaitForResultAsync<string>(second!.Value, TimeSpan.FromSeconds(30)));
    }
}
