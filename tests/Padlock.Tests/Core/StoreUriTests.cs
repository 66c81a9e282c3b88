using Padlock.Stores;
using Xunit;

namespace Padlock.Tests.Core;

public sealed class StoreUriTests
{
    [Fact]
    public void Parses_endpoints_path_and_options()
    {
        var u = StoreUri.Parse("zk://h1:2181,h2:2182,[::1]:2183/locks/app?session=10s&Prefix=x%20y");
        Assert.Equal("zk", u.Scheme);
        Assert.Equal(["h1", "h2", "::1"], u.Endpoints.Select(e => e.Host));
        Assert.Equal([2181, 2182, 2183], u.Endpoints.Select(e => e.Port));
        Assert.Equal("locks/app", u.Path);
        Assert.Equal(TimeSpan.FromSeconds(10), u.GetDuration("session", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(1)));
        Assert.Equal("x y", u.GetString("prefix"));
    }

    [Fact]
    public void Default_port_fills_endpoints_without_one()
    {
        var u = StoreUri.Parse("redis://a,b:7000");
        Assert.Equal([6379, 7000], u.EndpointsOrDefault("localhost", 6379).Select(e => e.Port));
        Assert.Equal("localhost", StoreUri.Parse("redis://").EndpointsOrDefault("localhost", 6379).Single().Host);
    }

    [Theory]
    [InlineData("localhost:6379", "not a store URI")]
    [InlineData("redis://h:0", "Invalid port")]
    [InlineData("redis://h:99999", "Invalid port")]
    [InlineData("redis://h:x", "Invalid port")]
    [InlineData("redis://a,,b", "Empty endpoint")]
    [InlineData("redis://[::1", "Unclosed")]
    [InlineData("redis://h?lease", "expected key=value")]
    [InlineData("redis://h?a=1&a=2", "twice")]
    public void Malformed_uris_are_ArgumentExceptions_naming_the_problem(string uri, string expected)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => StoreUri.Parse(uri));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Typed_getters_name_the_option_and_the_allowed_range()
    {
        var u = StoreUri.Parse("redis://h?lease=5h&n=abc&flag=maybe&d=soon");
        var range = Assert.Throws<ArgumentException>(() => u.GetDuration("lease", TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)));
        Assert.Contains("lease=5h", range.Message);
        Assert.Contains("1s to 60m", range.Message);
        Assert.Contains("not an integer", Assert.Throws<ArgumentException>(() => u.GetInt("n", 0, 0, 10)).Message);
        Assert.Contains("not a boolean", Assert.Throws<ArgumentException>(() => u.GetBool("flag", false)).Message);
        Assert.Contains("not a duration", Assert.Throws<ArgumentException>(() => u.GetDuration("d", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.MaxValue)).Message);
        var unknown = Assert.Throws<ArgumentException>(() => u.EnsureOnlyKeys("lease"));
        Assert.Contains("Options for redis:// are: lease", unknown.Message);
    }
}
