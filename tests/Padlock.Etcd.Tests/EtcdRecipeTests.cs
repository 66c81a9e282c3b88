using System.Text.Json;
using Padlock.Testing;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>The recipe as etcd sees it: keys, revisions, order, what is left behind, how a hold is lost.</summary>
[Collection("etcd")]
public sealed class EtcdRecipeTests(EtcdFixture fixture) : IAsyncLifetime
{
    private readonly List<LockProvider> _providers = [];
    private readonly string _uri = fixture.Uri();

    private LockProvider NewProvider()
    {
        var p = LockProvider.Create(_uri);
        _providers.Add(p);
        return p;
    }

    private string Prefix => ((EtcdLockStore)_providers[0].Store).Prefix;

    private async Task<string[]> KeysAsync()
    {
        var text = await fixture.Server.EtcdctlAsync("get", "--prefix", "--keys-only", Prefix + "/");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The lock keys in create-revision order (etcdctl lists them by key).</summary>
    private async Task<string[]> KeysByRevisionAsync()
    {
        using var doc = JsonDocument.Parse(await fixture.Server.EtcdctlAsync("get", "--prefix", Prefix + "/", "-w", "json"));
        if (!doc.RootElement.TryGetProperty("kvs", out var kvs)) return [];
        return [.. kvs.EnumerateArray()
            .OrderBy(kv => kv.GetProperty("create_revision").GetInt64())
            .Select(kv => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(kv.GetProperty("key").GetString()!)))];
    }

    [Fact]
    public async Task The_fencing_token_is_the_create_revision_of_the_holders_key()
    {
        await using var h = await NewProvider().CreateLock("fence").AcquireAsync();
        var json = await fixture.Server.EtcdctlAsync("get", "--prefix", Prefix + "/", "-w", "json");
        using var doc = JsonDocument.Parse(json);
        var kv = Assert.Single(doc.RootElement.GetProperty("kvs").EnumerateArray());
        Assert.Equal(h.FencingToken, kv.GetProperty("create_revision").GetInt64());
        Assert.NotEqual(0, kv.GetProperty("lease").GetInt64());
    }

    [Fact]
    public async Task Release_deletes_the_key_and_dispose_revokes_the_session()
    {
        var p = NewProvider();
        var h = await p.CreateLock("gone").AcquireAsync();
        await h.DisposeAsync();
        Assert.Empty(await KeysAsync());
        var kept = await p.CreateLock("kept").AcquireAsync();
        Assert.Single(await KeysAsync());
        await p.DisposeAsync();
        Assert.Empty(await KeysAsync());
        Assert.True(kept.IsLost);
    }

    [Fact]
    public async Task LostToken_fires_when_the_sessions_lease_is_revoked()
    {
        var p = NewProvider();
        var h = await p.CreateLock("revoked").AcquireAsync();
        var other = await p.CreateLock("revoked-too").AcquireAsync();
        var lease = ((EtcdLockStore)p.Store).CurrentLeaseId!.Value;
        await fixture.Server.EtcdctlAsync("lease", "revoke", lease.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(() => h.IsLost && other.IsLost, "both handles report the loss");
        await h.DisposeAsync();
        await other.DisposeAsync();
        // The provider starts a new session for the next lock.
        await using var again = await p.CreateLock("revoked").AcquireAsync(TimeSpan.FromSeconds(10));
        Assert.False(again.IsLost);
        Assert.NotEqual(lease, ((EtcdLockStore)p.Store).CurrentLeaseId);
    }

    [Fact]
    public async Task A_waiter_whose_predecessor_is_deleted_waits_for_the_holder()
    {
        var holder = await NewProvider().CreateLock("middle").AcquireAsync();
        var middle = NewProvider().CreateLock("middle").AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => (await KeysAsync()).Length == 2, "the middle waiter queued");
        var last = NewProvider().CreateLock("middle").AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => (await KeysAsync()).Length == 3, "the last waiter queued");
        // The middle waiter's key goes (as if its process died); the last must now wait on the holder, not take the lock.
        var keys = await KeysByRevisionAsync();
        await fixture.Server.EtcdctlAsync("del", keys[1]);
        // No state shows that the last waiter has reacted to the deletion and chosen to wait on; give it time to err.
        await Task.Delay(300);
        Assert.False(last.IsCompleted);
        await holder.DisposeAsync();
        await using var got = await last;
        Assert.True(got.FencingToken > holder.FencingToken);
        // The middle waiter queued again behind the last one, and gets the lock after it.
        Assert.False(middle.IsCompleted);
        await got.DisposeAsync();
        await using var m = await middle;
        Assert.True(m.FencingToken > got.FencingToken);
    }

    [Fact]
    public async Task LostToken_fires_when_keep_alive_fails_past_the_lease_and_a_new_session_follows()
    {
        await using var p = LockProvider.Create(fixture.Uri("?ttl=2s&requesttimeout=300ms&connecttimeout=1s"));
        var h = await p.CreateLock("frozen").AcquireAsync();
        var pid = fixture.Server.Process.ProcessId!.Value;
        // A frozen server answers nothing: renewals fail, and the hold must be reported lost before the 2 s lease could end.
        Padlock.LocalServers.Posix.Pause(pid);
        try
        {
            await Eventually.TrueAsync(() => h.IsLost, "the hold is reported lost");
        }
        finally
        {
            Padlock.LocalServers.Posix.Resume(pid);
        }
        await h.DisposeAsync();
        await using var again = await p.CreateLock("frozen").AcquireAsync(TimeSpan.FromSeconds(30));
        Assert.False(again.IsLost);
        Assert.True(again.FencingToken > h.FencingToken);
    }

    [Fact]
    public async Task Inspect_tells_the_holder_its_token_and_lease_and_the_waiters_in_order()
    {
        var owner = new Padlock.Stores.StoreContext { OwnerDescription = "holder-1" };
        await using var holderProvider = LockProvider.Create(_uri, owner);
        var store = (EtcdLockStore)NewProvider().Store;
        Assert.False((await store.InspectAsync("inspected")).IsHeld);
        await using var h = await holderProvider.CreateLock("inspected").AcquireAsync();
        using var cts = new CancellationTokenSource();
        var waiting = LockProvider.Create(_uri, new Padlock.Stores.StoreContext { OwnerDescription = "waiter-1" });
        _providers.Add(waiting);
        var w = waiting.CreateLock("inspected").AcquireAsync(cancellationToken: cts.Token).AsTask();
        await Eventually.TrueAsync(async () => (await store.InspectAsync("inspected")).Waiters!.Count == 1, "the waiter shows");
        var status = await store.InspectAsync("inspected");
        Assert.True(status.IsHeld);
        Assert.Equal(h.FencingToken, status.FencingToken);
        Assert.Equal("holder-1", status.Owner);
        Assert.Equal(["waiter-1"], status.Waiters);
        Assert.InRange(status.LeaseRemaining!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => w);
    }

    [Fact]
    public async Task Disposing_a_provider_ends_its_waits_and_frees_its_keys()
    {
        await using var held = await NewProvider().CreateLock("closing").AcquireAsync();
        var p = LockProvider.Create(_uri);
        var waiting = p.CreateLock("closing").AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => (await KeysAsync()).Length == 2, "the waiter queued");
        await p.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => waiting.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.IsNotType<TimeoutException>(waiting.Exception?.InnerException);
        Assert.Single(await KeysAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }
}
