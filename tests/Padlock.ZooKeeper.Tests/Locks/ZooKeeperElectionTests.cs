using Padlock.Testing;
using Padlock.ZooKeeper.Locks;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>zk:// election details the contract cannot reach: the leader's entry deleted or written by someone else.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperElectionTests(ZooKeeperFixture zk)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_leader_whose_entry_is_deleted_is_lost_cannot_proclaim_and_the_next_campaigner_leads()
    {
        var root = "el-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = LockProvider.Create($"zk://{zk.ConnectString}/{root}");
        await using var second = LockProvider.Create($"zk://{zk.ConnectString}/{root}");
        var leader = await first.CreateElection("e").CampaignAsync("a", Long);
        var next = second.CreateElection("e").CampaignAsync("b", Long).AsTask();
        await using var admin = await zk.ConnectAsync();
        var parent = $"/{root}/%el/e";
        await Eventually.TrueAsync(async () => (await admin.GetChildrenAsync(parent)).Count == 2, "the second campaigner queued");
        var head = LockNodeNames.Queue(await admin.GetChildrenAsync(parent))[0];
        await admin.DeleteAsync(parent + "/" + head);

        await Eventually.TrueAsync(() => leader.IsLost, "the leader whose entry was deleted reports itself lost");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await leader.ProclaimAsync("a2"));
        var b = await next.WaitAsync(Long);
        Assert.True(b.FencingToken > leader.FencingToken);
        Assert.Equal(new LeaderInfo("b", b.FencingToken), await first.CreateElection("e").GetLeaderAsync());
    }

    [Fact]
    public async Task A_proclaim_after_someone_else_wrote_the_leaders_entry_is_refused_and_the_leadership_is_lost()
    {
        var root = "el-" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = LockProvider.Create($"zk://{zk.ConnectString}/{root}");
        var leader = await provider.CreateElection("e").CampaignAsync("a", Long);
        await leader.ProclaimAsync("a2"); // our own writes keep the version in step
        await using var admin = await zk.ConnectAsync();
        var parent = $"/{root}/%el/e";
        var head = LockNodeNames.Queue(await admin.GetChildrenAsync(parent))[0];
        await admin.SetDataAsync(parent + "/" + head, "intruder"u8.ToArray());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await leader.ProclaimAsync("a3"));
        Assert.Contains("BadVersion", ex.Message);
        Assert.True(leader.IsLost);
        Assert.Equal("a2", leader.Value);
    }
}
