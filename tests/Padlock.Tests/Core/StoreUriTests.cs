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

    [Fact]
    public void User_info_before_the_hosts_is_parsed_and_decoded()
    {
        var u = StoreUri.Parse("postgres://app%40corp:p%3Ass@db1:5432,db2/orders?lease=30s");
        Assert.Equal("app@corp", u.UserName);
        Assert.Equal("p:ss", u.Password);
        Assert.Equal(["db1", "db2"], u.Endpoints.Select(e => e.Host));
        Assert.Equal("orders", u.Path);
        var userOnly = StoreUri.Parse("redis://alice@h:6379");
        Assert.Equal("alice", userOnly.UserName);
        Assert.Null(userOnly.Password);
        Assert.Null(StoreUri.Parse("redis://h:6379").UserName);
    }

    [Fact]
    public void Secrets_never_appear_in_messages_or_ToString()
    {
        var u = StoreUri.Parse("postgres://app:hunter2@db/orders?password=swordfish&lease=5h&oops=1");
        Assert.Equal("postgres://app:***@db/orders?password=***&lease=5h&oops=1", u.Display);
        Assert.Equal(u.Display, u.ToString());
        var range = Assert.Throws<ArgumentException>(() => u.GetDuration("lease", TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)));
        var unknown = Assert.Throws<ArgumentException>(() => u.EnsureOnlyKeys("lease", "password"));
        var malformed = Assert.ThrowsAny<ArgumentException>(() => StoreUri.Parse("redis://u:hunter2@h:99999?password=swordfish"));
        foreach (var message in new[] { range.Message, unknown.Message, malformed.Message })
        {
            Assert.DoesNotContain("hunter2", message);
            Assert.DoesNotContain("swordfish", message);
        }
        var unknownScheme = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("nope://u:hunter2@h"));
        Assert.DoesNotContain("hunter2", unknownScheme.Message);
    }
}
