using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>zk://user:password@ sends digest credentials: a root whose ACL admits only that identity locks for it and refuses others clearly.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class DigestAuthTests(ZooKeeperFixture zk)
{
    [Fact]
    public async Task The_uri_user_passes_the_roots_acl_and_a_wrong_password_is_a_clear_NoAuth_error()
    {
        var root = "/digest-" + Guid.NewGuid().ToString("N")[..12];
        await using (var owner = await zk.ConnectAsync(auth: ["alice:s3cret-pw"]))
            await owner.CreateAsync(root, null, CreateMode.Persistent, [Acl.Digest("alice", "s3cret-pw")]);

        await using (var alice = LockProvider.Create($"zk://alice:s3cret-pw@{zk.ConnectString}{root}"))
        await using (var held = await alice.CreateLock("job").TryAcquireAsync(TimeSpan.FromSeconds(10)))
            Assert.NotNull(held);

        await using var wrong = LockProvider.Create($"zk://alice:not-it@{zk.ConnectString}{root}");
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(async () => await wrong.CreateLock("job").AcquireAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ZooKeeperErrorCode.NoAuth, ex.Code);
        Assert.Contains("alice", ex.Message);
        Assert.Contains(root, ex.Message);
        Assert.DoesNotContain("not-it", ex.ToString());

        await using var anonymous = LockProvider.Create($"zk://{zk.ConnectString}{root}");
        var none = await Assert.ThrowsAsync<ZooKeeperException>(async () => await anonymous.CreateLock("job").AcquireAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ZooKeeperErrorCode.NoAuth, none.Code);
        Assert.Contains("no credentials", none.Message);
    }
}
