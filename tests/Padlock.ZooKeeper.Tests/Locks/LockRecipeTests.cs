using System.Collections.Concurrent;
using Padlock.Testing;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Locks;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The recipe's own promises beyond the contract (which covers FIFO): no herd, loss reporting, no orphan entries.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class LockRecipeTests(ZooKeeperFixture zk) : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly List<LockProvider> _providers = [];

    private LockProvider NewProvider(string? connect = null, string query = "")
    {
        var p = LockProvider.Create($"zk://{connect ?? zk.ConnectString}/recipe{query}");
        lock (_providers) _providers.Add(p);
        return p;
    }

    private static ZooKeeperLockStore Store(LockProvider p) => (ZooKeeperLockStore)p.Store;

    private static string Name() => "lock-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }

    private async Task<List<string>> LineAsync(string name)
    {
        await using var c = await zk.ConnectAsync();
        try
        {
            return LockNodeNames.Queue(await c.GetChildrenAsync(Store(NewProvider()).ParentPath(name)));
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return [];
        }
    }

    private Task WaitForLineAsync(string name, int length)
        => Eventually.TrueAsync(async () => (await LineAsync(name)).Count == length, $"the line of {name} has {length} entries", Guard);

    [Fact]
    public async Task A_release_wakes_exactly_one_of_50_waiters()
    {
        var name = Name();
        var holder = await NewProvider().CreateLock(name).AcquireAsync();
        var waiters = Enumerable.Range(0, 50).Select(_ => NewProvider()).ToArray();
        using var cancel = new CancellationTokenSource();
        var acquired = new ConcurrentBag<ILockHandle>();
        var tasks = waiters.Select(p => Task.Run(async () =>
        {
            try { acquired.Add(await p.CreateLock(name).AcquireAsync(cancellationToken: cancel.Token)); }
            catch (OperationCanceledException) { }
        })).ToArray();
        await WaitForLineAsync(name, 51);
        // Every waiter has armed its one watch before the release.
        await Eventually.TrueAsync(() => waiters.Sum(p => Store(p).CurrentClient?.Watches.Count ?? 0) >= 50, "all 50 waiters armed a watch", Guard);
        Assert.Equal(50, waiters.Sum(p => Store(p).CurrentClient!.Watches.Count));
        var before = waiters.Sum(p => Store(p).CurrentClient!.NotificationsReceived);

        await holder.DisposeAsync();
        await Eventually.TrueAsync(() => !acquired.IsEmpty, "a waiter acquired after the release", Guard);
        Assert.Single(acquired);
        // Give any herd time to show: every waiter's session answers a round trip after the release.
        foreach (var p in waiters) await Store(p).CurrentClient!.SyncAsync("/");
        Assert.Equal(1, waiters.Sum(p => Store(p).CurrentClient!.NotificationsReceived) - before);
        Assert.Single(acquired);

        cancel.Cancel();
        await Task.WhenAll(tasks);
        foreach (var h in acquired) await h.DisposeAsync();
        await WaitForLineAsync(name, 0);
    }

    [Fact]
    public async Task LostToken_fires_when_the_session_expires_and_the_provider_recovers_with_a_new_one()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        var provider = NewProvider(proxy.ConnectString);
        var name = Name();
        var h = await provider.CreateLock(name).AcquireAsync();
        var client = Store(provider).CurrentClient!;
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.LostToken.Register(() => lost.TrySetResult());

        proxy.Blackhole = true;
        var thief = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = zk.ConnectString, ResumeSession = (client.SessionId, client.SessionPassword) });
        await thief.DisposeAsync();
        proxy.Blackhole = false;

        await lost.Task.WaitAsync(Guard);
        Assert.True(h.IsLost);
        await h.DisposeAsync();
        // The expired session's entry went with it; the same provider opens a new session for the next acquire.
        await using var again = await provider.CreateLock(name).AcquireAsync(Guard);
        Assert.NotEqual(client.SessionId, Store(provider).CurrentClient!.SessionId);
        Assert.True(again.FencingToken > h.FencingToken);
    }

    [Fact]
    public async Task LostToken_fires_after_the_configured_part_of_the_session_timeout_without_contact()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        var provider = NewProvider(proxy.ConnectString, "?sessiontimeout=4s&lossfraction=0.4");
        var h = await provider.CreateLock(Name()).AcquireAsync();
        var client = Store(provider).CurrentClient!;
        var lost = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.LostToken.Register(() => lost.TrySetResult(client.SinceLastContact));
        proxy.Blackhole = true;
        var silence = await lost.Task.WaitAsync(Guard);
        // Declared lost after 40% of the negotiated timeout and before the server could have expired the session.
        Assert.InRange(silence, client.NegotiatedTimeout * 0.4, client.NegotiatedTimeout);
        proxy.Blackhole = false;
        Assert.True(await client.WaitConnectedAsync(Guard));
        await h.DisposeAsync();
        // After the reconnect new holds are good again (not born lost).
        await using var next = await provider.CreateLock(Name()).AcquireAsync(Guard);
        Assert.False(next.IsLost);
    }

    [Fact]
    public async Task A_short_disconnect_does_not_lose_the_hold()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        var provider = NewProvider(proxy.ConnectString, "?sessiontimeout=10s");
        var name = Name();
        await using var h = await provider.CreateLock(name).AcquireAsync();
        var client = Store(provider).CurrentClient!;
        await client.SyncAsync("/"); // the hold's own exists watch has been answered: the cut hits ours
        proxy.CutAfterNext((int)OpCode.Exists);
        await Assert.ThrowsAnyAsync<ZooKeeperException>(() => client.ExistsAsync("/"));
        Assert.True(await client.WaitConnectedAsync(Guard));
        await client.SyncAsync("/");
        Assert.False(h.IsLost);
        Assert.Single(await LineAsync(name));
    }

    [Fact]
    public async Task A_connection_loss_during_create_finds_our_entry_instead_of_making_another()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        var provider = NewProvider(proxy.ConnectString);
        var name = Name();
        // The lock's parent exists (so the cut create is one that succeeds), and the provider's session is open.
        await using (await NewProvider().CreateLock(name).AcquireAsync()) { }
        await using (await provider.CreateLock(Name()).AcquireAsync()) { }
        proxy.CutAfterNext((int)OpCode.Create2);
        var h = await provider.CreateLock(name).AcquireAsync(Guard);
        Assert.False(proxy.CutPending);
        var line = await LineAsync(name);
        Assert.Single(line);
        await h.DisposeAsync();
        Assert.Empty(await LineAsync(name));
    }

    [Fact]
    public async Task A_wait_that_times_out_after_a_create_in_doubt_leaves_no_entry()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        var name = Name();
        await using var holder = await NewProvider().CreateLock(name).AcquireAsync();
        var provider = NewProvider(proxy.ConnectString);
        await using (await provider.CreateLock(Name()).AcquireAsync()) { } // session open
        proxy.CutAfterNext((int)OpCode.Create2);
        Assert.Null(await provider.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(2)));
        Assert.False(proxy.CutPending);
        await WaitForLineAsync(name, 1);
        Assert.Single(await LineAsync(name));
    }

    [Fact]
    public async Task A_zero_timeout_attempt_on_a_held_lock_creates_nothing()
    {
        var name = Name();
        await using var holder = await NewProvider().CreateLock(name).AcquireAsync();
        var other = NewProvider();
        await using (await other.CreateLock(Name()).AcquireAsync()) { } // open the session
        var client = Store(other).CurrentClient!;
        await using var spy = await zk.ConnectAsync();
        var parent = Store(other).ParentPath(name);
        var cversion = (await spy.ExistsAsync(parent))!.Cversion;
        for (var i = 0; i < 5; i++) Assert.Null(await other.CreateLock(name).TryAcquireAsync());
        // No child was created and deleted in between: the parent's child version did not move.
        Assert.Equal(cversion, (await spy.ExistsAsync(parent))!.Cversion);
    }

    [Fact]
    public async Task Names_with_path_characters_are_encoded_not_rejected()
    {
        var p = NewProvider();
        var store = Store(p);
        string[] names = ["a/b", "a%2Fb", ".", "..", "tab\there", "ünï锁", "emoji-😀", "zookeeper"];
        var parents = names.Select(store.ParentPath).ToArray();
        Assert.Equal(parents.Length, parents.Distinct().Count());
        Assert.Equal("/recipe/a%2Fb", parents[0]);
        Assert.Equal("/recipe/a%252Fb", parents[1]);
        Assert.Equal("/recipe/%2E", parents[2]);
        Assert.Equal("/recipe/%2E%2E", parents[3]);
        Assert.Equal("/recipe/tab%09here", parents[4]);
        Assert.Equal("/recipe/ünï锁", parents[5]);
        Assert.Equal("/recipe/emoji-%uD83D%uDE00", parents[6]);
        foreach (var n in names)
        {
            await using var h = await p.CreateLock(n).TryAcquireAsync();
            Assert.NotNull(h);
        }
    }

    [Fact]
    public async Task Inspect_shows_the_holder_its_token_and_the_waiters_in_order()
    {
        var name = Name();
        var holderProvider = LockProvider.Create($"zk://{zk.ConnectString}/recipe", new Padlock.Stores.StoreContext { OwnerDescription = "holder-1" });
        _providers.Add(holderProvider);
        await using var h = await holderProvider.CreateLock(name).AcquireAsync();
        var waiters = new List<Task>();
        using var cancel = new CancellationTokenSource();
        for (var i = 0; i < 2; i++)
        {
            var p = LockProvider.Create($"zk://{zk.ConnectString}/recipe", new Padlock.Stores.StoreContext { OwnerDescription = $"waiter-{i}" });
            _providers.Add(p);
            waiters.Add(Task.Run(async () =>
            {
                try { await p.CreateLock(name).AcquireAsync(cancellationToken: cancel.Token); } catch (OperationCanceledException) { }
            }));
            await WaitForLineAsync(name, i + 2);
        }
        var status = await Store(NewProvider()).InspectAsync(name);
        Assert.True(status.IsHeld);
        Assert.Equal(h.FencingToken, status.FencingToken);
        Assert.Equal("holder-1", status.Owner);
        Assert.NotNull(status.Since);
        Assert.Equal(["waiter-0", "waiter-1"], status.Waiters);
        cancel.Cancel();
        await Task.WhenAll(waiters);
        var free = await Store(NewProvider()).InspectAsync(Name());
        Assert.False(free.IsHeld);
    }
}
