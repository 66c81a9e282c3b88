using System.Diagnostics;
using Padlock.LocalServers;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>Bad URIs and options fail early with the allowed values; an unreachable cluster fails in time, naming it.</summary>
public sealed class EtcdOptionsTests
{
    [Theory]
    [InlineData("etcd://127.0.0.1:2379?ttl=abc", "ttl")]
    [InlineData("etcd://127.0.0.1:2379?ttl=1s", "ttl")]
    [InlineData("etcd://127.0.0.1:2379?ttl=2500ms", "whole seconds")]
    [InlineData("etcd://127.0.0.1:2379?connecttimeout=0s", "connecttimeout")]
    [InlineData("etcd://127.0.0.1:2379?requesttimeout=10m", "requesttimeout")]
    [InlineData("etcd://127.0.0.1:2379?colour=blue", "colour")]
    [InlineData("etcd://127.0.0.1:99999", "99999")]
    [InlineData("etcd://127.0.0.1:2379,,127.0.0.1:2380", "Empty endpoint")]
    public void Bad_uris_are_ArgumentExceptions_naming_the_problem(string uri, string mentioned)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create(uri));
        Assert.Contains(mentioned, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_typed_options_are_ArgumentExceptions()
    {
        Assert.ThrowsAny<ArgumentException>(() => new EtcdLockStore(new EtcdLockOptions { Prefix = "/x" }));
        Assert.ThrowsAny<ArgumentException>(() => new EtcdLockStore(new EtcdLockOptions { SessionTtl = TimeSpan.FromMilliseconds(1500) }));
        Assert.ThrowsAny<ArgumentException>(() => new EtcdLockStore(new EtcdLockOptions { RequestTimeout = TimeSpan.Zero }));
        var options = new EtcdLockOptions();
        options.Endpoints.Add("http://host:2379");
        Assert.ThrowsAny<ArgumentException>(() => new EtcdLockStore(options));
    }

    [Fact]
    public async Task A_good_uri_sets_endpoints_and_prefix_and_defaults_the_port()
    {
        await using var p = LockProvider.Create("etcd://10.0.0.1,10.0.0.2:2380/app/locks?ttl=10s&connecttimeout=1s&requesttimeout=500ms");
        var store = Assert.IsType<EtcdLockStore>(p.Store);
        Assert.Equal(["10.0.0.1:2379", "10.0.0.2:2380"], store.Endpoints);
        Assert.Equal("app/locks", store.Prefix);
        Assert.Equal("etcd", p.StoreKind);
    }

    [Fact]
    public async Task An_unreachable_cluster_is_a_clear_error_naming_the_endpoints_within_the_connect_timeout()
    {
        int a = FreePort.Next(), b = FreePort.Next();
        await using var p = LockProvider.Create($"etcd://127.0.0.1:{a},127.0.0.1:{b}/x?connecttimeout=1s");
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<EtcdUnavailableException>(async () => await p.CreateLock("n").AcquireAsync(TimeSpan.FromSeconds(30)));
        sw.Stop();
        Assert.Contains($"127.0.0.1:{a}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{b}", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.IsAssignableFrom<Padlock.Stores.LockStoreUnavailableException>(ex);
        Assert.Equal("etcd", ex.StoreKind);
        // Connect timeout 1 s: the error comes after it, and well before the 30 s acquire timeout.
        Assert.InRange(sw.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<EtcdUnavailableException>(async () => await p.CreateLock("n").TryAcquireAsync());
    }
}
