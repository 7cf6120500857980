namespace DistributedTaskQueue.Tests.Grains.Abstractions;

/// <summary>Reading a stored result as a type: the value when it fits, a typed error naming the task and both types when not.</summary>
public sealed class TaskInfoResultTests
{
    private static TaskInfo Succeeded(string resultJson) => new()
    {
        Id = new TaskId("mail", 1, 42),
        TaskName = "t",
        State = TaskState.Succeeded,
        Priority = TaskPriority.Normal,
        Result = System.Text.Encoding.UTF8.GetBytes(resultJson),
    };

    private sealed record Receipt(string MessageId, int Size);

    [Fact]
    public void AResultThatFits_IsReadAsTheType()
    {
        Assert.Equal(new Receipt("m-1", 300), Succeeded("""{"messageId":"m-1","size":300}""").GetResult<Receipt>());
        Assert.Equal(7, Succeeded("7").GetResult<int>());
    }

    [Fact]
    public void NoResult_IsDefault()
    {
        Assert.Null((Succeeded("1") with { Result = null }).GetResult<Receipt>());
    }

    [Theory]
    [InlineData("\"sent\"", "string")]
    [InlineData("[1,2]", "array")]
    [InlineData("{\"messageId\":5}", "object")]
    public void AResultOfAnotherShape_ThrowsTaskResultTypeException_NamingTheTaskAndBothTypes(string stored, string kind)
    {
        var refused = Assert.Throws<TaskResultTypeException>(() => Succeeded(stored).GetResult<Receipt>());

        Assert.Contains("mail:1:42", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"a JSON {kind}", refused.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Receipt).ToString(), refused.Message, StringComparison.Ordinal);
        Assert.IsType<System.Text.Json.JsonException>(refused.InnerException);
    }
}
