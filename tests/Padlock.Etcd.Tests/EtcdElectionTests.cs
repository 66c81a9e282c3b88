using Padlock.Testing;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>etcd:// election details the contract cannot reach: the leader's key deleted or made again by someone else.</summary>
[Collection("etcd")]
public sealed class EtcdElectionTests(EtcdFixture fixture)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_leader_whose_key_is_deleted_is_lost_cannot_proclaim_and_the_next_campaigner_leads()
    {
        var uri = fixture.Uri();
        await using var first = LockProvider.Create(uri);
        await using var second = LockProvider.Create(uri);
        var leader = await first.CreateElection("e").CampaignAsync("a", Long);
        var next = second.CreateElection("e").CampaignAsync("b", Long).AsTask();
        var prefix = ((EtcdLockStore)((LockProvider)first).Store).Prefix + "/#el/e/";
        await Eventually.TrueAsync(async () => (await KeysAsync(prefix)).Length == 2, "the second campaigner queued");
        var keys = await KeysAsync(prefix);
        var ours = keys.Single(k => k.EndsWith(((EtcdLockStore)((LockProvider)first).Store).CurrentLeaseId!.Value.ToString("x"), StringComparison.Ordinal));
        await fixture.Server.EtcdctlAsync("del", ours);

        var b = await next.WaitAsync(Long);
        Assert.True(b.FencingToken > leader.FencingToken);
        await Eventually.TrueAsync(() => leader.IsLost, "the leader whose key was deleted reports itself lost");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await leader.ProclaimAsync("a2"));
        Assert.Equal(new LeaderInfo("b", b.FencingToken), await first.CreateElection("e").GetLeaderAsync());
    }

    [Fact]
    public async Task The_stores_proclaim_is_refused_when_the_leaders_key_was_deleted_and_made_again()
    {
        // At the store, below the core's IsLost check: the key's deletion watch may report the loss first, and the
        // guard in the txn must refuse on its own.
        await using var store = new EtcdLockStore(new EtcdLockOptions { Endpoints = { fixture.Server.Endpoint }, Prefix = "t-" + Guid.NewGuid().ToString("N")[..8] });
        using var wait = new Stores.LockWait(Long);
        var lease = await store.CampaignAsync("e", "a", wait);
        Assert.NotNull(lease);
        var ours = (await KeysAsync(store.Prefix + "/#el/e/")).Single();
        // Same key, new create revision: a put guarded by the key alone would write it; the term guard refuses.
        await fixture.Server.EtcdctlAsync("del", ours);
        await fixture.Server.EtcdctlAsync("put", ours, "impostor");

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.ProclaimAsync("e", lease!, "a2", CancellationToken.None));
        Assert.True(lease!.IsLost);
        Assert.Equal("impostor", (await store.GetLeaderAsync("e", CancellationToken.None))?.Value);
        await lease.ReleaseAsync();
    }

    private async Task<string[]> KeysAsync(string prefix)
        => (await fixture.Server.EtcdctlAsync("get", "--prefix", "--keys-only", prefix)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
