using Padlock.Redis.Redlock;
using Padlock.Stores;
using Xunit;

namespace Padlock.Redis.Tests.Configuration;

/// <summary>Bad URIs and out-of-range options are ArgumentExceptions naming what was wrong and what is allowed.</summary>
public sealed class UriAndOptionsTests
{
    [Theory]
    [InlineData("redis://", "names no server")]
    [InlineData("redis://localhost:0", "Invalid port")]
    [InlineData("redis://localhost:70000", "Invalid port")]
    [InlineData("redis://localhost:6379?lease=abc", "not a duration")]
    [InlineData("redis://localhost:6379?lease=50ms", "out of range")]
    [InlineData("redis://localhost:6379?lease=2h", "out of range")]
    [InlineData("redis://localhost:6379?lease=3s&renew=3s", "out of range")]
    [InlineData("redis://localhost:6379?renew=5ms", "out of range")]
    [InlineData("redis://localhost:6379?slice=2s", "out of range: allowed 0ms to 1s")]
    [InlineData("redis://localhost:6379?slice=soon", "not a duration")]
    [InlineData("redis://localhost:6379?batch=0", "out of range: allowed 1 to 256")]
    [InlineData("redis://localhost:6379?batch=2.5", "not an integer")]
    [InlineData("redlock://a,b,c?slice=1ms", "slice")]
    [InlineData("redis://localhost:6379?fallback=0ms", "out of range")]
    [InlineData("redis://localhost:6379?connecttimeout=1ms", "out of range")]
    [InlineData("redis://localhost:6379?prefix=a{b", "KeyPrefix")]
    [InlineData("redis://localhost:6379?colour=blue", "Unknown option 'colour'")]
    [InlineData("redis://localhost:6379?drift=0.1", "Unknown option 'drift'")]
    [InlineData("redis://localhost:6379/locks", "path")]
    [InlineData("redis://localhost:6379,,localhost:6380", "Empty endpoint")]
    [InlineData("redlock://h1:6379,h2:6379", "at least 3")]
    [InlineData("redlock://h1,h2,h3?drift=2", "out of range")]
    [InlineData("redlock://h1,h2,h3?drift=x", "not a number: allowed 0 to 0.5")]
    [InlineData("redlock://h1,h2,h3?sentinel=mymaster", "Unknown option 'sentinel'")]
    [InlineData("redis://localhost:26379?sentinel=%20", "SentinelServiceName")]
    public void Bad_uris_are_ArgumentExceptions_that_say_why(string uri, string expected)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create(uri));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_options_reach_the_store()
    {
        var store = (RedisLockStore)new RedisLockStoreFactory().Create(Stores.StoreUri.Parse("redis://h1,h2:7000?lease=10s&renew=2s&prefix=app:&fallback=100ms&connecttimeout=1s"), Stores.StoreContext.Default);
        Assert.Equal("redis", store.Kind);
        Assert.Equal("app:", store.KeyPrefix);
        Assert.IsType<RedlockLockStore>(new RedisLockStoreFactory().Create(Stores.StoreUri.Parse("redlock://a,b,c?drift=0.05"), Stores.StoreContext.Default));
    }

    [Fact]
    public void Typed_options_are_checked_when_the_store_is_built()
    {
        Assert.Throws<ArgumentException>(() => new RedisLockStore(new RedisLockOptions()));
        Assert.Throws<ArgumentException>(() => new RedisLockStore(new RedisLockOptions { Endpoints = [" "] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisLockStore(new RedisLockOptions { Endpoints = ["h:1"], Lease = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisLockStore(new RedisLockOptions { Endpoints = ["h:1"], Lease = TimeSpan.FromSeconds(1), RenewInterval = TimeSpan.FromSeconds(1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisLockStore(new RedisLockOptions { Endpoints = ["h:1"], FallbackInterval = TimeSpan.FromMinutes(1) }));
        Assert.Throws<ArgumentException>(() => new RedisLockStore(new RedisLockOptions { Endpoints = ["h:1"], KeyPrefix = "" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedlockLockStore(new RedisLockOptions { Endpoints = ["a:1", "b:1", "c:1"], ClockDriftFactor = -1 }));
        Assert.Throws<ArgumentException>(() => new RedlockLockStore(new RedisLockOptions { Endpoints = ["a:1"] }));
        Assert.Throws<ArgumentNullException>(() => new RedisLockStore(null!));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a{b}c", "a%7Bb%7Dc")]
    [InlineData("100%", "100%25")]
    public void Braces_in_names_are_escaped_so_the_hash_tag_is_the_whole_name(string name, string tag)
    {
        var keys = Keys.LockKeys.For("padlock:", name);
        Assert.Equal(tag, keys.Tag);
        Assert.Equal($"padlock:{{{tag}}}:lock", (string?)keys.Lock);
        Assert.NotEqual(Keys.LockKeys.For("p:", "a}b").Tag, Keys.LockKeys.For("p:", "a%7Db").Tag);
    }

    [Fact]
    public void Redlock_validity_subtracts_elapsed_time_and_drift()
    {
        Assert.Equal(2, Quorum.Of(3));
        Assert.Equal(3, Quorum.Of(5));
        Assert.Equal(TimeSpan.FromMilliseconds(10_000 - 1_000 - 100 - 2), Quorum.Validity(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), 0.01));
    }

    [Fact]
    public void A_holder_is_told_of_a_loss_no_later_than_Redlocks_drift_allowance_says()
    {
        // LostToken fires one loss margin before the lease ends; with a large drift factor, Redlock's validity ends
        // earlier than lease - lease/10, so the margin must grow with it.
        Assert.Equal(TimeSpan.FromSeconds(1), new RedisLockOptions { Lease = TimeSpan.FromSeconds(10) }.LossMargin);
        var drifty = new RedisLockOptions { Lease = TimeSpan.FromSeconds(10), ClockDriftFactor = 0.3 };
        Assert.Equal(TimeSpan.FromMilliseconds(3_002), drifty.LossMargin);
        var validityAtGrant = Quorum.Validity(drifty.Lease, TimeSpan.Zero, drifty.ClockDriftFactor);
        Assert.True(drifty.Lease - drifty.LossMargin <= validityAtGrant);
    }

    [Theory]
    [InlineData("redis://A:6379,b", "redis://b:6379,a?lease=5s&connecttimeout=1s")]
    [InlineData("redis://h?prefix=padlock:", "redis://h:6379")]
    [InlineData("redlock://h1,h2,h3?drift=0.1", "redlock://H3:6379,h2,h1")]
    public void Spellings_of_one_store_share_an_identity(string a, string b)
    {
        var f = new RedisLockStoreFactory();
        Assert.Equal(f.GetIdentity(StoreUri.Parse(a)), f.GetIdentity(StoreUri.Parse(b)));
    }

    [Theory]
    [InlineData("redis://h", "redis://h?prefix=other:")]
    [InlineData("redis://h", "redis://h:6380")]
    [InlineData("redis://h?sentinel=s1", "redis://h?sentinel=s2")]
    [InlineData("redis://h", "redlock://h")]
    public void Different_key_spaces_have_different_identities(string a, string b)
    {
        var f = new RedisLockStoreFactory();
        Assert.NotEqual(f.GetIdentity(StoreUri.Parse(a)), f.GetIdentity(StoreUri.Parse(b)));
    }
}
