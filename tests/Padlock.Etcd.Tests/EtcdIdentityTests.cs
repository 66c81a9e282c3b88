using Padlock.Stores;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>Sharded providers place names by store identity: one etcd key space has one identity in every spelling.</summary>
public sealed class EtcdIdentityTests
{
    [Theory]
    [InlineData("etcd://a:2379,B:2379/locks", "etcd://b,a/locks/?ttl=10s")]
    [InlineData("etcd://", "etcd://127.0.0.1:2379/padlock")]
    [InlineData("etcd://h/ns/x", "etcd://h:2379//ns/x/?requesttimeout=2s")]
    public void Spellings_of_one_key_space_share_an_identity(string a, string b)
    {
        var f = new EtcdLockStoreFactory();
        Assert.Equal(f.GetIdentity(StoreUri.Parse(a)), f.GetIdentity(StoreUri.Parse(b)));
    }

    [Theory]
    [InlineData("etcd://h/ns", "etcd://h/ns/x")]
    [InlineData("etcd://h/locks", "etcd://h:2380/locks")]
    public void Different_key_spaces_have_different_identities(string a, string b)
    {
        var f = new EtcdLockStoreFactory();
        Assert.NotEqual(f.GetIdentity(StoreUri.Parse(a)), f.GetIdentity(StoreUri.Parse(b)));
    }

    [Fact]
    public void A_user_without_a_password_is_refused_and_a_password_is_never_shown()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("etcd://u@h/locks"));
        Assert.Contains("etcd://user:password@host", ex.Message);
        var bad = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("etcd://u:s3cret@h/locks?bogus=1"));
        Assert.Contains("bogus", bad.Message);
        Assert.DoesNotContain("s3cret", bad.Message);
    }
}
