using Padlock.LocalServers;
using Padlock.Testing;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>Losses and restarts on a real server: the holder's backend killed, the server crashed and restarted.</summary>
[Collection("postgres")]
public sealed class PostgresFailureTests(PostgresFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15); // generous: keep-alives run every 1.2 s here

    [Fact]
    public async Task Killing_the_holders_backend_fires_LostToken_and_grants_the_next_waiter()
    {
        var uri = fixture.Uri();
        await using var p1 = LockProvider.Create(uri);
        await using var p2 = LockProvider.Create(uri);
        var name = "kill-" + Guid.NewGuid().ToString("N");
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
        const int waiters = 1000; // one connection (one backend) each: the fixture's max_connections has room for them
        // 1000 connections opened at once queue at the postmaster, which starts one backend at a time: on the shared
        // 2-core machine the last ones took longer than Npgsql's default 15 s connect timeout (Timeout), so it is raised.
        var uri = fixture.Uri("&Timeout=300");
        await using var holderProvider = LockProvider.Create(uri);
        await using var provider = LockProvider.Create(uri);
        var store = (PostgresLockStore)((LockProvider)provider).Store;
        var name = "many-" + Guid.NewGuid().ToString("N");
        var held = await holderProvider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        var cancels = Enumerable.Range(0, waiters).Select(_ => new CancellationTokenSource()).ToArray();
        var granted = new List<(int Waiter, long Token, int Pid)>();
        var tasks = new Task[waiters];
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < waiters; i++)
        {
            var me = i;
            tasks[i] = Task.Run(async () =>
            {
                await using var h = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromMinutes(5), cancels[me].Token);
                var pid = store.Holds.Single(x => x.Name == name && x.FencingToken == h.FencingToken).BackendPid;
                lock (granted) granted.Add((me, h.FencingToken, pid));
            });
        }
        await Eventually.TrueAsync(async () =>
        {
            if (tasks.FirstOrDefault(t => t.IsFaulted) is { } failed) await failed; // a waiter that failed says why at once
            return await PgLocks.WaitingAsync(fixture.Server, name) == waiters;
        }, $"{waiters} waiters queue in pg_locks", TimeSpan.FromMinutes(5));
        output.WriteLine($"{waiters} waiters queued in {started.Elapsed.TotalSeconds:F1} s");

        for (var i = 0; i < waiters; i += 2) cancels[i].Cancel();
        for (var i = 0; i < waiters; i += 2) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tasks[i]);
        Assert.Equal(waiters / 2, await PgLocks.WaitingAsync(fixture.Server, name));
        // The server's queue order of the waiters left (its backends, by when they began waiting).
        var queue = (await fixture.Server.PsqlAsync($"SELECT pid FROM pg_locks WHERE NOT granted AND {PgLocks.KeyFilter(name)} ORDER BY waitstart"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        await held.DisposeAsync();
        await Task.WhenAll(tasks.Where((_, i) => i % 2 == 1)).WaitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"all served after {started.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(waiters / 2, granted.Count);
        Assert.All(granted, g => Assert.Equal(1, g.Waiter % 2));
        var byToken = granted.OrderBy(g => g.Token).ToList();
        for (var i = 1; i < byToken.Count; i++) Assert.True(byToken[i].Token > byToken[i - 1].Token);
        // Served in the order they queued: grant (token) order is the server's queue order. pg_locks shows that order
        // only through waitstart, which a backend stamps after joining the queue, so backends that join close together
        // on a busy machine can stamp out of order: fresh-clone CI runs saw ranks off by 1 and by 5. Each waiter must be
        // served within 25 places (5 %) of its waitstart rank; a queue that was not FIFO (or that a cancellation
        // reshuffled) puts waiters about a third of the line (~170 places) off on average.
        var served = byToken.Select(g => g.Pid).ToList();
        Assert.Equal(queue.Order(), served.Order());
        var off = served.Select((pid, rank) => (pid, Distance: Math.Abs(rank - queue.IndexOf(pid)))).MaxBy(x => x.Distance);
        Assert.True(off.Distance <= waiters / 2 / 20, $"Backend {off.pid} was served {off.Distance} places from its place in the queue.\nqueue:  {string.Join(' ', queue)}\nserved: {string.Join(' ', served)}");
        // Nothing behind: no advisory lock, no backend waiting for one, no transaction left open.
        Assert.Equal("0", (await fixture.Server.PsqlAsync($"SELECT count(*) FROM pg_locks WHERE {PgLocks.KeyFilter(name)}")).Trim());
        Assert.Equal("0", (await fixture.Server.PsqlAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' OR state LIKE 'idle in transaction%'")).Trim());
        foreach (var c in cancels) c.Dispose();
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
        // The waiters are other flows of this process: this flow, holding the name, would be refused as recursion.
        var w1 = SeparateFlow.Run(async () => await p.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)));
        await Eventually.TrueAsync(async () => await PgLocks.WaitingAsync(fixture.Server, name) == 1, "the first waiter queues");
        var w2 = SeparateFlow.Run(async () => await p.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)));
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
