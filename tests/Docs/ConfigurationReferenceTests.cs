namespace DistributedTaskQueue.Tests.Docs;

/// <summary>docs/configuration.md is what the options classes say: every setting, its key, variable, default and meaning.</summary>
public sealed class ConfigurationReferenceTests
{
    [Fact]
    public void TheConfigurationReference_MatchesTheOptionsClasses()
    {
        var path = Path.Combine(Deploy.DeployFiles.Root, "docs", "configuration.md");
        var expected = ConfigurationReference.Render();
        // After changing an option: run this test once with DTQ_WRITE_DOCS=1 to rewrite the file, and review the diff.
        if (Environment.GetEnvironmentVariable("DTQ_WRITE_DOCS") == "1") File.WriteAllText(path, expected);
        var actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        Assert.True(expected.ReplaceLineEndings("\n") == actual,
            $"docs/configuration.md is out of date with the options classes (DTQ_WRITE_DOCS=1 rewrites it); it should read:\n{expected}");
        Assert.Contains("| `TaskQueue:Worker:MaxConcurrentTasks` | `TaskQueue__Worker__MaxConcurrentTasks` | `8` |", actual, StringComparison.Ordinal);
    }
}
