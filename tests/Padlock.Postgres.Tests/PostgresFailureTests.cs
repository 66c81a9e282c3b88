using Padlock.LocalServers;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>Losses and restarts on a real server: the holder's backend killed, the server crashed and restarted.</summary>
[Collection("postgres")]
public sealed class PostgresFailureTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15); // generous: keep-alives run every 1.2 s here

    [Theory]
    [InlineData(0)] // the hold on a connection fresh from the pool
    [InlineData(3)] // on a connection the store kept from earlier holds (warm, statements prepared)
    public async Task Killing_the_holders_backend_fires_LostToken_and_grants_the_next_waiter(int earlierHolds)
    {
        var uri = fixture.Uri();
        await using var p1 = LockProvider.Create(uri);
        await using var p2 = LockProvider.Create(uri);
        var name = "kill-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < earlierHolds; i++) await (await p1.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10))).DisposeAsync();
        var held = await p1.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        var waiting = p2.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => await PgLocks.WaitingAsync(fixture.Server, name) == 1, "the waiter queues in pg_locks");

        await PgLocks.TerminateHolderAsync(fixture.Server, name);

        await Task.Delay(Timeout.Infinite, held.LostToken).ContinueWith(_ => { }).WaitAsync(Bound);
        await using var next = await waiting.WaitAsync(Bound);
        Assert.True(next.FencingToken > held.FencingToken);
        await held.DisposeAsync(); // harmless: it unlocks only its own (dead) session
        Assert.False(next.IsLost);
        Assert.Null(await p1.CreateLock(name).TryAcquireAsync());
        await using var again = await p1.CreateLock(name + "-other").AcquireAsync(TimeSpan.FromSeconds(10)); // the store still grants
        Assert.False(again.IsLost);
    }

    [Fact]
    public async Task Tokens_never_go_backwards_after_the_server_crashes_and_restarts_during_a_hold()
    {
        await using var server = await PostgresServer.StartAsync(maxConnections: 50);
        var uri = server.Uri + "&lease=6s";
        var name = "restart-" + Guid.NewGuid().ToString("N");
        long last;
        await using (var p1 = LockProvider.Create(uri))
        {
            for (var i = 0; i < 3; i++) await (await p1.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10))).DisposeAsync();
            var held = await p1.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
            last = held.FencingToken;

            await server.Process.KillAsync(); // SIGKILL, backends included: a crash, then crash recovery on start
            await server.StartAgainAsync();

            await Task.Delay(Timeout.Infinite, held.LostToken).ContinueWith(_ => { }).WaitAsync(Bound);
            await held.DisposeAsync();
        }
        await using var p2 = LockProvider.Create(uri);
        for (var i = 0; i < 3; i++)
        {
            await using var h = await p2.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
            Assert.True(h.FencingToken > last, $"Token {h.FencingToken} after the restart is not above {last}.");
            last = h.FencingToken;
        }
    }

    [Fact]
    public async Task Many_waiters_then_cancelling_half_leaves_nothing_behind_and_the_rest_are_served_in_order()
    {
        const int waiters = 1000;
        var app = "many-" + Guid.NewGuid().ToString("N")[..8];
        var uri = fixture.Uri("&Application%20Name=" + app);
        await using var holderProvider = LockProvider.Create(fixture.Uri());
        await using var provider = LockProvider.Create(uri);
        var store = (PostgresLockStore)((LockProvider)provider).Store;
        var name = "many-" + Guid.NewGuid().ToString("N");
        var held = await holderProvider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        var cancels = Enumerable.Range(0, waiters).Select(_ => new CancellationTokenSource()).ToArray();
        var granted = new List<(int Waiter, long Token)>();
        var tasks = new Task[waiters];
        for (var i = 0; i < waiters; i++)
        {
            var me = i;
            tasks[i] = Task.Run(async () =>
            {
                await using var h = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromMinutes(5), cancels[me].Token);
                lock (granted) granted.Add((me, h.FencingToken));
            });
            // One at a time, so the arrival order is known: the first waits in the server's queue itself, the others in
            // the store's local line behind it.
            if (i == 0) await Eventually.TrueAsync(async () => await PgLocks.WaitingAsync(fixture.Server, name) == 1, "the first waiter queues at the server");
            else await ArrivedAsync(store, name, i, tasks[i]);
        }

        // A thousand waiters of one store wait on one connection: one backend in the server's queue.
        Assert.Equal(1, await PgLocks.WaitingAsync(fixture.Server, name));
        Assert.Equal(waiters - 1, store.LocalWaiters(name));
        // The even ones leave, the one waiting at the server among them: a turn for the local line takes its place there.
        for (var i = 0; i < waiters; i += 2) cancels[i].Cancel();
        for (var i = 0; i < waiters; i += 2) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tasks[i]);
        // The line's first stays in it while a turn waits at the server for the whole line.
        Assert.Equal(waiters / 2, store.LocalWaiters(name));
        await Eventually.TrueAsync(async () => await PgLocks.WaitingAsync(fixture.Server, name) == 1, "one waiter of the store queues at the server");

        await held.DisposeAsync();
        await Task.WhenAll(tasks.Where((_, i) => i % 2 == 1)).WaitAsync(TimeSpan.FromMinutes(3));

        // Served in the order they arrived, with strictly increasing tokens.
        Assert.Equal(Enumerable.Range(0, waiters / 2).Select(i => 2 * i + 1), granted.Select(g => g.Waiter));
        for (var i = 1; i < granted.Count; i++) Assert.True(granted[i].Token > granted[i - 1].Token);
        // Nothing behind: no advisory lock, no backend waiting for one, no transaction left open.
        await Eventually.TrueAsync(async () => (await fixture.Server.PsqlAsync($"SELECT count(*) FROM pg_locks WHERE {PgLocks.KeyFilter(name)}")).Trim() == "0", "the lock is free");
        Assert.Equal("0", (await fixture.Server.PsqlAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' OR state LIKE 'idle in transaction%'")).Trim());
        Assert.Equal(0, store.LocalWaiters(name));
        foreach (var c in cancels) c.Dispose();
    }

    [Fact]
    public async Task Waiters_of_many_processes_then_cancelling_half_are_served_in_the_servers_queue_order()
    {
        const int stores = 40; // each its own data source and connection, as separate processes would be
        var uri = fixture.Uri();
        await using var holderProvider = LockProvider.Create(uri);
        var providers = Enumerable.Range(0, stores).Select(_ => LockProvider.Create(uri)).ToArray();
        try
        {
            var name = "many-stores-" + Guid.NewGuid().ToString("N");
            var held = await holderProvider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
            var cancels = Enumerable.Range(0, stores).Select(_ => new CancellationTokenSource()).ToArray();
            var granted = new List<(int Waiter, long Token, int Pid)>();
            var tasks = new Task[stores];
            for (var i = 0; i < stores; i++)
            {
                var me = i;
                var store = (PostgresLockStore)((LockProvider)providers[i]).Store;
                tasks[i] = Task.Run(async () =>
                {
                    await using var h = await providers[me].CreateLock(name).AcquireAsync(TimeSpan.FromMinutes(2), cancels[me].Token);
                    var pid = store.Holds.Single(x => x.Name == name).BackendPid;
                    lock (granted) granted.Add((me, h.FencingToken, pid));
                });
            }
            await Eventually.TrueAsync(async () =>
            {
                if (tasks.FirstOrDefault(t => t.IsFaulted) is { } failed) await failed;
                return await PgLocks.WaitingAsync(fixture.Server, name) == stores;
            }, $"{stores} waiters queue in pg_locks", TimeSpan.FromMinutes(2));

            for (var i = 0; i < stores; i += 2) cancels[i].Cancel();
            for (var i = 0; i < stores; i += 2) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tasks[i]);
            Assert.Equal(stores / 2, await PgLocks.WaitingAsync(fixture.Server, name));
            var queue = (await fixture.Server.PsqlAsync($"SELECT pid FROM pg_locks WHERE NOT granted AND {PgLocks.KeyFilter(name)} ORDER BY waitstart"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList();

            await held.DisposeAsync();
            await Task.WhenAll(tasks.Where((_, i) => i % 2 == 1)).WaitAsync(TimeSpan.FromMinutes(2));

            Assert.All(granted, g => Assert.Equal(1, g.Waiter % 2));
            var byToken = granted.OrderBy(g => g.Token).ToList();
            // Served in the server's queue order (pg_locks' waitstart, stamped after joining the queue, may swap two
            // backends that joined close together on a busy machine: each within 2 places).
            var served = byToken.Select(g => g.Pid).ToList();
            Assert.Equal(queue.Order(), served.Order());
            var off = served.Select((pid, rank) => (pid, Distance: Math.Abs(rank - queue.IndexOf(pid)))).MaxBy(x => x.Distance);
            Assert.True(off.Distance <= 2, $"Backend {off.pid} was served {off.Distance} places from its place in the queue.\nqueue:  {string.Join(' ', queue)}\nserved: {string.Join(' ', served)}");
            Assert.Equal("0", (await fixture.Server.PsqlAsync($"SELECT count(*) FROM pg_locks WHERE {PgLocks.KeyFilter(name)}")).Trim());
            foreach (var c in cancels) c.Dispose();
        }
        finally
        {
            foreach (var p in providers) await p.DisposeAsync();
        }
    }

    // Waits (spinning: a thousand polls of 20 ms would take long) until waiter i has joined the store's local line.
    private static async Task ArrivedAsync(PostgresLockStore store, string name, int i, Task waiter)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (store.LocalWaiters(name) < i)
        {
            if (waiter.IsFaulted) await waiter;
            Assert.True(DateTime.UtcNow < until, $"Waiter {i} did not join the local line.");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Status_shows_the_holder_token_and_the_waiters_in_order()
    {
        var uri = fixture.Uri();
        await using var p = LockProvider.Create(uri);
        var store = (PostgresLockStore)p.Store;
        var name = "status-" + Guid.NewGuid().ToString("N");
        Assert.False((await store.InspectAsync(name)).IsHeld);
        await using var held = await p.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        // The waiters are other stores (other processes): waiters of the holder's own store line up in memory, not in pg_locks.
        await using var p2 = LockProvider.Create(uri);
        await using var p3 = LockProvider.Create(uri);
        var w1 = p2.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => await PgLocks.WaitingAsync(fixture.Server, name) == 1, "the first waiter queues");
        var w2 = p3.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => await PgLocks.WaitingAsync(fixture.Server, name) == 2, "the second waiter queues");

        var status = await store.InspectAsync(name);
        Assert.True(status.IsHeld);
        Assert.Equal(held.FencingToken, status.FencingToken);
        Assert.Equal(Padlock.Stores.StoreContext.DefaultOwner, status.Owner);
        Assert.NotNull(status.Since);
        Assert.Equal(2, status.Waiters!.Count);

        await held.DisposeAsync();
        await (await w1.WaitAsync(Bound)).DisposeAsync();
        await (await w2.WaitAsync(Bound)).DisposeAsync();
    }

    [Fact]
    public async Task Many_clients_creating_the_fencing_table_at_once_all_get_their_locks()
    {
        // CREATE TABLE IF NOT EXISTS races between sessions: losers see 23505, 42P07 or 42710 (the row type). None may fail.
        for (var round = 0; round < 3; round++)
        {
            var uri = fixture.Uri();
            var providers = Enumerable.Range(0, 8).Select(_ => LockProvider.Create(uri)).ToList();
            try
            {
                var handles = await Task.WhenAll(providers.Select((p, i) => p.CreateLock($"schema-race-{i}").TryAcquireAsync().AsTask()));
                Assert.All(handles, Assert.NotNull);
                foreach (var h in handles) await h!.DisposeAsync();
            }
            finally
            {
                foreach (var p in providers) await p.DisposeAsync();
            }
        }
    }
}
