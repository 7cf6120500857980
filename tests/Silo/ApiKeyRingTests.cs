using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>Keys are matched exactly (hashed, compared in constant time), each to its own holder and role.</summary>
public sealed class ApiKeyRingTests
{
    private static ApiKeyRing Ring(params ApiKeyOptions[] keys) => new(Options.Create(new AccessOptions { Keys = keys }));

    [Fact]
    public void EachKey_MatchesItsOwnHolderAndRole()
    {
        var ring = Ring(
            new ApiKeyOptions { Key = "admin-0123456789abcdef", Role = AccessRole.Admin, Name = "ops" },
            new ApiKeyOptions { Key = "read-0123456789abcdef", Role = AccessRole.ReadOnly });

        Assert.False(ring.IsEmpty);
        Assert.Equal(("ops", AccessRole.Admin), ring.Match("admin-0123456789abcdef"));
        Assert.Equal(("key 1", AccessRole.ReadOnly), ring.Match("read-0123456789abcdef"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("admin-0123456789abcde")]
    [InlineData("admin-0123456789abcdef ")]
    [InlineData("ADMIN-0123456789ABCDEF")]
    [InlineData("admin-0123456789abcdef\0")]
    [InlineData("admin-0123456789abcdefadmin-0123456789abcdef")]
    public void AnythingButAConfiguredKey_MatchesNothing(string presented)
    {
        var ring = Ring(new ApiKeyOptions { Key = "admin-0123456789abcdef", Role = AccessRole.Admin });

        Assert.Null(ring.Match(presented));
    }

    [Fact]
    public void NoKeys_IsEmpty_AndMatchesNothing()
    {
        var ring = Ring();

        Assert.True(ring.IsEmpty);
        Assert.Null(ring.Match("anything-at-all-0123"));
    }
}
