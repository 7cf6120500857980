using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>Every refused access setting names its key and never shows a key's value.</summary>
public sealed class AccessOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(params ApiKeyOptions[] keys) =>
        new AccessOptionsValidator().Validate(Options.DefaultName, new AccessOptions { Keys = keys });

    [Fact]
    public void NoKeys_AndWellFormedKeys_AreValid()
    {
        Assert.True(Validate().Succeeded);
        Assert.True(Validate(new ApiKeyOptions { Key = "admin-0123456789abcdef", Role = AccessRole.Admin },
            new ApiKeyOptions { Key = "read-0123456789abcdef", Role = AccessRole.ReadOnly }).Succeeded);
    }

    [Theory]
    [InlineData("short-secret", AccessRole.Admin, "TaskQueue:Access:Keys:1:Key must be 16..1024 characters, was 12.")]
    [InlineData("with space 0123456789", AccessRole.Admin, "TaskQueue:Access:Keys:1:Key must not hold whitespace")]
    [InlineData("admin-0123456789abcdef", AccessRole.ReadOnly, "TaskQueue:Access:Keys:1:Key repeats TaskQueue:Access:Keys:0:Key")]
    [InlineData("other-0123456789abcdef", null, "TaskQueue:Access:Keys:1:Role must be Admin or ReadOnly.")]
    [InlineData("other-0123456789abcdef", (AccessRole)7, "TaskQueue:Access:Keys:1:Role must be Admin or ReadOnly.")]
    public void ABadKey_IsRefused_NamingItsKey_WithoutShowingIt(string key, AccessRole? role, string expected)
    {
        var result = Validate(new ApiKeyOptions { Key = "admin-0123456789abcdef", Role = AccessRole.Admin }, new ApiKeyOptions { Key = key, Role = role });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void NullKeysOrEntries_AreRefused_NamingThem()
    {
        Assert.Contains("TaskQueue:Access:Keys must not be null", new AccessOptionsValidator().Validate(null, new AccessOptions { Keys = null! }).FailureMessage, StringComparison.Ordinal);
        Assert.Contains("TaskQueue:Access:Keys:0 must not be null.", Validate(new ApiKeyOptions[] { null! }).FailureMessage, StringComparison.Ordinal);
    }
}
