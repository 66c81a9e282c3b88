using System.Text;
using Padlock.LocalServers;
using Padlock.Sharding.Directory;
using Padlock.Stores;
using Padlock.Testing.Time;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Directory;

/// <summary>
/// The shard directory on ZooKeeper (issue 17): the map's compare-and-set, the change wait, and client registrations as
/// ephemeral nodes in the store's session, each store object being one client. Real ZooKeeper; the fixture's server, or
/// one of its own where the test freezes it.
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperShardDirectoryTests(ZooKeeperFixture zk) : IAsyncLifetime
{
    // Generous: a change is reported through a watch in milliseconds; the machine is shared.
    private static readonly TimeSpan Seen = TimeSpan.FromSeconds(15);

    private readonly string _root = "/dir-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<LockProvider> _providers = [];

    private string Uri => $"zk://{zk.ConnectString}{_root}?sessiontimeout=4s";

    private (LockProvider Provider, IShardDirectory Directory) Open(string? uri = null, StoreContext? context = null)
    {
        var provider = LockProvider.Create(uri ?? Uri, context ?? StoreContext.Default);
        _providers.Add(provider);
        return (provider, ((IShardDirectoryStore)provider.Store).OpenShardDirectory());
    }

    [Fact]
    public async Task Create_if_absent_succeeds_once_and_a_stale_version_writes_nothing()
    {
        var (_, a) = Open();
        var (_, b) = Open();
        Assert.Null(await a.ReadMapAsync(default));
        Assert.True(await a.TryWriteMapAsync("{\"epoch\":1}", null, default));
        Assert.False(await b.TryWriteMapAsync("{\"epoch\":99}", null, default));
        var first = await b.ReadMapAsync(default);
        Assert.Equal("{\"epoch\":1}", first!.Document);

        Assert.True(await b.TryWriteMapAsync("{\"epoch\":2}", first.Version, default));
        // a still names the first version: refused, and the map is b's.
        Assert.False(await a.TryWriteMapAsync("{\"epoch\":3}", first.Version, default));
        var second = await a.ReadMapAsync(default);
        Assert.Equal("{\"epoch\":2}", second!.Document);
        Assert.True(second.Version > first.Version);
        Assert.True(await a.TryWriteMapAsync("{\"epoch\":3}", second.Version, default));
        Assert.Equal("{\"epoch\":3}", (await b.ReadMapAsync(default))!.Document);
    }

    [Fact]
    public async Task A_wait_completes_when_another_client_writes_and_is_cancellable()
    {
        var (_, a) = Open();
        var (_, b) = Open();
        // No map yet: the wait ends when one appears.
        var appear = a.WaitForMapChangeAsync(null, default).AsTask();
        Assert.False(appear.IsCompleted);
        Assert.True(await b.TryWriteMapAsync("one", null, default));
        await appear.WaitAsync(Seen);

        var known = (await a.ReadMapAsync(default))!;
        var change = WaitUntilChangedAsync(a, known.Version);
        Assert.True(await b.TryWriteMapAsync("two", known.Version, default));
        await change.WaitAsync(Seen);
        Assert.Equal("two", (await a.ReadMapAsync(default))!.Document);

        var now = (await a.ReadMapAsync(default))!;
        using var cts = new CancellationTokenSource();
        var cancelled = a.WaitForMapChangeAsync(now.Version, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Seen));
        // A cancelled wait leaves the next one working.
        var next = WaitUntilChangedAsync(a, now.Version);
        Assert.True(await b.TryWriteMapAsync("three", now.Version, default));
        await next.WaitAsync(Seen);
    }

    private static async Task WaitUntilChangedAsync(IShardDirectory directory, long version)
    {
        while ((await directory.ReadMapAsync(default))?.Version == version) await directory.WaitForMapChangeAsync(version, default);
    }

    [Fact]
    public async Task A_wait_on_an_old_version_ends_at_once()
    {
        var (_, a) = Open();
        Assert.True(await a.TryWriteMapAsync("one", null, default));
        var v1 = (await a.ReadMapAsync(default))!.Version;
        Assert.True(await a.TryWriteMapAsync("two", v1, default));
        await a.WaitForMapChangeAsync(v1, default).AsTask().WaitAsync(Seen);
        await a.WaitForMapChangeAsync(null, default).AsTask().WaitAsync(Seen);
    }

    [Fact]
    public async Task Two_clients_cannot_register_one_id()
    {
        var (_, a) = Open();
        var (_, b) = Open();
        await using var mine = await a.RegisterAsync("client-1", "{}", default);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => b.RegisterAsync("client-1", "{}", default).AsTask());
        Assert.Contains("client-1", ex.Message, StringComparison.Ordinal);
        // Nor twice by the same client while the first registration lives.
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.RegisterAsync("client-1", "{}", default).AsTask());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("..")]
    public async Task A_bad_client_id_is_refused_naming_the_rule(string id)
    {
        var (_, a) = Open();
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => a.RegisterAsync(id, "{}", default).AsTask());
        Assert.Contains("letters, digits", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_are_listed_with_their_latest_values_and_vanish_when_their_store_closes()
    {
        var (_, a) = Open();
        var (pb, b) = Open();
        var (_, reader) = Open();
        await using var ra = await a.RegisterAsync("a", "epoch 1", default);
        var rb = await b.RegisterAsync("b", "epoch 1", default);
        await ra.UpdateAsync("epoch 2", default);
        await rb.UpdateAsync("epoch 3", default);
        Assert.Equal([new ShardDirectoryClient("a", "epoch 2"), new ShardDirectoryClient("b", "epoch 3")],
            (await reader.ReadClientsAsync(default)).OrderBy(c => c.ClientId, StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(4), ra.ExpiryBound);

        // Closing b's store closes its session: its ephemeral node goes at once.
        await pb.DisposeAsync();
        Assert.Equal([new ShardDirectoryClient("a", "epoch 2")], await reader.ReadClientsAsync(default));
        // A registration disposed on its own deletes its node, and the id is free again.
        await ra.DisposeAsync();
        Assert.Empty(await reader.ReadClientsAsync(default));
        await using var again = await reader.RegisterAsync("a", "back", default);
        Assert.Equal([new ShardDirectoryClient("a", "back")], await a.ReadClientsAsync(default));
    }

    [Fact]
    public async Task An_update_of_a_registration_whose_node_was_deleted_fails_and_recreates_nothing()
    {
        var (_, a) = Open();
        var reg = await a.RegisterAsync("gone", "v1", default);
        await using (var raw = await zk.ConnectAsync())
        {
            await raw.DeleteAsync(_root + "/%shards/clients/gone");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => reg.UpdateAsync("v2", default).AsTask());
        Assert.True(reg.LostToken.IsCancellationRequested);
        Assert.Empty(await a.ReadClientsAsync(default));
        await reg.DisposeAsync();
    }

    [Fact]
    public async Task A_registration_reads_lost_as_soon_as_the_ensemble_was_silent_past_the_limit()
    {
        // The clock jumps, timers keep real time: only the check made when LostToken is read can see the silence.
        var clock = new JumpingClock();
        var (_, a) = Open($"zk://{zk.ConnectString}{_root}?sessiontimeout=10s", new StoreContext { TimeProvider = clock });
        await using var reg = await a.RegisterAsync("paused", "{}", default);
        Assert.False(reg.LostToken.IsCancellationRequested);
        clock.Jump(reg.ExpiryBound);
        Assert.True(reg.LostToken.IsCancellationRequested, "LostToken was not cancelled when read just after the session timeout passed on the monotonic clock.");
    }

    [Fact]
    public async Task A_client_whose_registration_was_lost_registers_the_id_again_at_once_and_others_still_cannot()
    {
        // Lost by silence while the session lives on: the node stays, and belongs to this store's session.
        var clock = new JumpingClock();
        var (_, a) = Open($"zk://{zk.ConnectString}{_root}?sessiontimeout=10s", new StoreContext { TimeProvider = clock });
        var (_, b) = Open();
        var lost = await a.RegisterAsync("again", "old", default);
        clock.Jump(lost.ExpiryBound);
        Assert.True(lost.LostToken.IsCancellationRequested);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.RegisterAsync("again", "theirs", default).AsTask());
        await using var again = await a.RegisterAsync("again", "new", default);
        Assert.False(again.LostToken.IsCancellationRequested);
        Assert.Equal([new ShardDirectoryClient("again", "new")], await b.ReadClientsAsync(default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.RegisterAsync("again", "twice", default).AsTask());
        // The lost registration neither writes nor deletes the node its successor now holds.
        await Assert.ThrowsAsync<InvalidOperationException>(() => lost.UpdateAsync("stale", default).AsTask());
        await lost.DisposeAsync();
        await again.UpdateAsync("newer", default);
        Assert.Equal([new ShardDirectoryClient("again", "newer")], await b.ReadClientsAsync(default));
    }

    [Fact]
    public async Task A_registration_whose_server_is_frozen_reads_lost_after_the_session_timeout()
    {
        // A server of its own with a 1 s tick, so a 2 s session timeout is allowed (the server's minimum is 2 ticks).
        await using var server = await ZooKeeperServer.StartAsync(TimeSpan.FromSeconds(1));
        var (_, a) = Open($"zk://{server.ConnectString}/frozen?sessiontimeout=2s&requesttimeout=1s");
        await using var reg = await a.RegisterAsync("frozen", "{}", default);
        var pid = server.Process.ProcessId!.Value;
        Posix.Pause(pid);
        try
        {
            // Read after the fact: nothing was heard throughout, so by the session timeout (plus slack) the node may be gone.
            await Task.Delay(reg.ExpiryBound + TimeSpan.FromSeconds(1));
            Assert.True(reg.LostToken.IsCancellationRequested, $"LostToken was not cancelled {reg.ExpiryBound + TimeSpan.FromSeconds(1)} after the server froze.");
        }
        finally
        {
            Posix.Resume(pid);
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => reg.UpdateAsync("after", default).AsTask());
    }

    [Fact]
    public async Task Locks_named_like_the_directory_nodes_never_touch_them()
    {
        var (p, a) = Open();
        Assert.True(await a.TryWriteMapAsync("map", null, default));
        await using var reg = await a.RegisterAsync("c", "value", default);
        var names = new[] { "%shards", "%shards/map", "#shards", "#shards/map", "shards", "%shards/clients/c", "clients" };
        var held = new List<ILockHandle>();
        foreach (var name in names)
        {
            held.Add(await p.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10)));
            held.Add(await p.CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(10)));
            held.Add(await p.CreateReaderWriterLock(name).AcquireWriteAsync(TimeSpan.FromSeconds(10)));
        }
        Assert.Equal("map", (await a.ReadMapAsync(default))!.Document);
        Assert.Equal([new ShardDirectoryClient("c", "value")], await a.ReadClientsAsync(default));
        foreach (var h in held) await h.DisposeAsync();
        // And the other way: the directory's nodes make no lock of those names busy.
        var store = (ZooKeeperLockStore)p.Store;
        foreach (var name in names) Assert.False((await store.InspectAsync(name)).IsHeld, name);
        await using (var raw = await zk.ConnectAsync())
        {
            // The map node itself, as the directory wrote it.
            var (data, _) = await raw.GetDataAsync(_root + "/%shards/map");
            Assert.Equal("map", Encoding.UTF8.GetString(data));
        }
        Assert.Equal("map", (await a.ReadMapAsync(default))!.Document);
    }

    [Fact]
    public async Task A_digest_store_creates_the_directory_nodes_for_its_identity_only()
    {
        var root = _root + "-acl";
        var (_, a) = Open($"zk://alice:pw@{zk.ConnectString}{root}?sessiontimeout=4s");
        Assert.True(await a.TryWriteMapAsync("map", null, default));
        await using var reg = await a.RegisterAsync("c", "value", default);
        await using var raw = await zk.ConnectAsync();
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => raw.SetDataAsync(root + "/%shards/map", [1]));
        Assert.Equal(ZooKeeperErrorCode.NoAuth, ex.Code);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }
}
