namespace DistributedTaskQueue.Tests.Grains.Abstractions;

public sealed class TaskCatalogTests
{
    [Fact]
    public void MayHandle_AcceptsEverything_UntilAWorkerRegisters() =>
        Assert.True(TaskCatalog.Unknown.MayHandle("anything"));

    [Fact]
    public void MayHandle_RefusesOnlyNamesNoWorkerLists_WhenEveryWorkerListsItsNames()
    {
        var catalog = new TaskCatalog(2, AcceptsAnyName: false, new HashSet<string> { "EmailTask", "dtq.echo" });

        Assert.True(catalog.MayHandle("EmailTask"));
        Assert.False(catalog.MayHandle("emailtask")); // names are exact
        Assert.False(catalog.MayHandle("ReportTask"));
    }

    [Fact]
    public void MayHandle_AcceptsEverything_WhenSomeWorkerHasAnOpenEndedRawHandler()
    {
        var catalog = new TaskCatalog(1, AcceptsAnyName: true, new HashSet<string> { "EmailTask" });

        Assert.True(catalog.MayHandle("Database.Backup"));
    }
}
