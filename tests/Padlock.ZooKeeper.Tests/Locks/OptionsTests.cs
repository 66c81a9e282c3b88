using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>zk:// URIs and typed options: bad ones are ArgumentExceptions naming what is wrong and what is allowed.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData("zk://127.0.0.1:2181/x?colour=red", "Unknown option 'colour'")]
    [InlineData("zk://127.0.0.1:2181/x?lossfraction=2", "0.1 to 0.9")]
    [InlineData("zk://127.0.0.1:2181/x?lossfraction=abc", "0.1 to 0.9")]
    [InlineData("zk://127.0.0.1:2181/x?sessiontimeout=100ms", "out of range")]
    [InlineData("zk://127.0.0.1:2181/x?connecttimeout=soon", "not a duration")]
    [InlineData("zk:///x", "names no server")]
    [InlineData("zk://127.0.0.1:2181/zookeeper", "reserved")]
    [InlineData("zk://127.0.0.1:99999/x", "Invalid port")]
    public void Bad_uris_are_ArgumentExceptions_that_say_why(string uri, string expected)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create(uri));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void A_good_uri_builds_the_store_with_its_options_without_connecting()
    {
        // Nothing listens on port 1: building must not connect.
        var provider = LockProvider.Create("zk://127.0.0.1:1,localhost/app/locks?sessiontimeout=6s&connecttimeout=1s&requesttimeout=2s&lossfraction=0.5");
        var store = Assert.IsType<ZooKeeperLockStore>(provider.Store);
        Assert.Equal("zk", provider.StoreKind);
        Assert.Equal("/app/locks/x", store.ParentPath("x"));
    }

    [Fact]
    public void Typed_options_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions()));
        Assert.Throws<ArgumentException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = ["h:1"], Root = "relative" }));
        Assert.Throws<ArgumentException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = ["h:1"], Root = "/" }));
        Assert.Throws<ArgumentException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = ["h:1/x"] }));
        var fraction = Assert.Throws<ArgumentOutOfRangeException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = ["h:1"], DisconnectLossFraction = double.NaN }));
        Assert.Contains("DisconnectLossFraction", fraction.Message);
        var session = Assert.Throws<ArgumentOutOfRangeException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = ["h:1"], SessionTimeout = TimeSpan.FromHours(1) }));
        Assert.Contains("SessionTimeout", session.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = ["h:1"], RequestTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = ["h:1"], ConnectTimeout = TimeSpan.FromDays(1) }));
    }

    [Fact]
    public async Task An_unreachable_ensemble_fails_the_acquire_within_the_connect_timeout_naming_the_endpoint()
    {
        var port = Padlock.LocalServers.FreePort.Next();
        await using var provider = LockProvider.Create($"zk://127.0.0.1:{port}/x?connecttimeout=500ms");
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<Padlock.Stores.LockStoreUnavailableException>(async () => await provider.CreateLock("a").AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.Equal("zk", ex.StoreKind);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        // The protocol's code stays available inside.
        Assert.Equal(ZooKeeperErrorCode.ConnectionLoss, Assert.IsType<ZooKeeperException>(ex.InnerException).Code);
    }
}
