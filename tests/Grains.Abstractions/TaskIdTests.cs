using System.Text.Json;

namespace DistributedTaskQueue.Tests.Grains.Abstractions;

public sealed class TaskIdTests
{
    [Fact]
    public void TextForm_RoundTrips_EvenWithDotsInTheQueueName()
    {
        var id = new TaskId("reports.eu-west", 3, 123456789);

        Assert.Equal("reports.eu-west:3:123456789", id.ToString());
        Assert.Equal(id, TaskId.Parse(id.ToString()));
        Assert.Equal("reports.eu-west:3", id.PartitionKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("queue")]
    [InlineData("queue:1")]
    [InlineData(":1:2")]
    [InlineData("queue:x:2")]
    [InlineData("queue:1:-2")]
    [InlineData("bad queue:1:2")]
    public void TryParse_RefusesWhatIsNotAnId(string text)
    {
        Assert.False(TaskId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => TaskId.Parse(text));
    }

    [Fact]
    public void Json_WritesTheTextForm()
    {
        var json = JsonSerializer.Serialize(new TaskId("q", 0, 7), TaskJson.Options);

        Assert.Equal("\"q:0:7\"", json);
        Assert.Equal(new TaskId("q", 0, 7), JsonSerializer.Deserialize<TaskId>(json, TaskJson.Options));
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("emails.eu_1-b", true)]
    [InlineData("", false)]
    [InlineData("-leading", false)]
    [InlineData("has space", false)]
    [InlineData("colon:no", false)]
    public void QueueNames_AreValidatedWithATypedError(string name, bool valid)
    {
        Assert.Equal(valid, QueueNames.IsValid(name));
        if (!valid) Assert.Contains("Invalid queue name", Assert.Throws<InvalidTaskException>(() => QueueNames.Validate(name)).Message);
    }
}
