using Padlock.Stores;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>Sharded providers place names by store identity: one ensemble and root has one identity in every spelling.</summary>
public sealed class IdentityTests
{
    [Theory]
    [InlineData("zk://a:2181,b:2181,c:2181/locks", "zk://c,B,a:2181/locks/?sessiontimeout=20s")]
    [InlineData("zk://h", "zk://h:2181/padlock")]
    public void Spellings_of_one_ensemble_and_root_share_an_identity(string a, string b)
    {
        var f = new ZooKeeperLockStoreFactory();
        Assert.Equal(f.GetIdentity(StoreUri.Parse(a)), f.GetIdentity(StoreUri.Parse(b)));
    }

    [Theory]
    [InlineData("zk://h/a", "zk://h/a/b")]
    [InlineData("zk://h/a", "zk://h:2182/a")]
    public void Different_roots_or_ensembles_have_different_identities(string a, string b)
    {
        var f = new ZooKeeperLockStoreFactory();
        Assert.NotEqual(f.GetIdentity(StoreUri.Parse(a)), f.GetIdentity(StoreUri.Parse(b)));
    }

    [Fact]
    public void A_user_without_a_password_is_refused_and_a_password_is_never_shown()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("zk://u@h/locks"));
        Assert.Contains("zk://user:password@host", ex.Message);
        var bad = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("zk://u:s3cret@h/locks?bogus=1"));
        Assert.Contains("bogus", bad.Message);
        Assert.DoesNotContain("s3cret", bad.Message);
    }
}
