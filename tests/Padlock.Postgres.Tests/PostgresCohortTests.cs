using Padlock.LocalServers;
using Padlock.Testing;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// Callers of one store that want the same lock share its hold (<c>Cohort/AdvisoryCohort</c>): a release hands the
/// held advisory lock to the next local caller for a bounded turn (<see cref="PostgresLockOptions.HandOffSlice"/>,
/// <see cref="PostgresLockOptions.HandOffBatch"/>), then gives it back to the server's queue. Exclusion and token order
/// must hold across processes, a waiting process must get its turn while local callers keep coming, and a lost hold
/// must be every local holder's loss.
/// </summary>
[Collection("postgres")]
public sealed class PostgresCohortTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private static string NewName(string stem) => stem + "-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Callers_of_one_store_never_overlap_and_their_tokens_rise_in_grant_order()
    {
        await using var provider = LockProvider.Create(fixture.Uri());
        var name = NewName("cohort-local");
        var inside = 0;
        var tokens = new List<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SeparateFlow.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await using var h = await provider.CreateLock(name).AcquireAsync(Guard);
                Assert.Equal(1, Interlocked.Increment(ref inside));
                lock (tokens) tokens.Add(h.FencingToken);
                await Task.Yield();
                Assert.Equal(0, Interlocked.Decrement(ref inside));
            }
        })));
        Assert.Equal(320, tokens.Count);
        for (var i = 1; i < tokens.Count; i++) Assert.True(tokens[i] > tokens[i - 1], $"Grant {i} got token {tokens[i]} after {tokens[i - 1]}.");
        Assert.Equal(0, ((PostgresLockStore)((LockProvider)provider).Store).LocalWaiters(name));
    }

    [Fact]
    public Task Batching_between_two_processes_keeps_exclusion_and_token_order_and_the_processes_take_turns()
        => ProcessTurns.CheckAsync(fixture.Uri(), NewName("cohort-procs"));

    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    public async Task A_waiting_process_gets_the_lock_after_at_most_a_batch_though_local_callers_keep_coming(int batch)
    {
        // A long slice: only the grant count can end the turn.
        var turn = await ContendAsync($"&slice=1s&batch={batch}", hold: TimeSpan.FromMilliseconds(1));
        Assert.InRange(turn.LocalAfterJoin, 0, batch);
        Assert.Contains(turn.LocalTokens, t => t > turn.RemoteToken);
    }

    [Fact]
    public async Task A_waiting_process_gets_the_lock_when_the_turns_slice_ends_though_its_batch_is_far_from_used()
    {
        // A big batch: only the slice can end the turn. Holds of about 2 ms and a 10 ms slice: a handful of grants; a
        // turn bounded by its batch alone would serve up to 256.
        var turn = await ContendAsync("&slice=10ms&batch=256", hold: TimeSpan.FromMilliseconds(2));
        Assert.InRange(turn.LocalAfterJoin, 0, 64);
        Assert.Contains(turn.LocalTokens, t => t > turn.RemoteToken);
    }

    /// <summary>
    /// Four callers of a store (<paramref name="options"/>) take the lock in a loop, each holding it
    /// <paramref name="hold"/>; another store (another process) then asks for it. How many local grants came after the
    /// other store was seen waiting in the server's queue and before it was granted.
    /// </summary>
    private async Task<(long RemoteToken, int LocalAfterJoin, long[] LocalTokens)> ContendAsync(string options, TimeSpan hold)
    {
        var name = NewName("cohort-slice");
        var app = "remote-" + Guid.NewGuid().ToString("N")[..8];
        var uri = fixture.Uri();
        await using var local = LockProvider.Create(uri + options);
        await using var remote = LockProvider.Create(uri + "&Application%20Name=" + app);
        var grants = new List<long>();
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(_ => SeparateFlow.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var h = await local.CreateLock(name).AcquireAsync(Guard);
                lock (grants) grants.Add(h.FencingToken);
                if (hold > TimeSpan.Zero) Thread.Sleep(hold);
            }
        })).ToArray();
        await Eventually.TrueAsync(() => Task.FromResult(grants.Count >= 20), "the local callers take turns");
        var remoteNext = remote.CreateLock(name).AcquireAsync(Guard).AsTask();
        // Polled on an open connection (a turn of a few short holds is over in milliseconds): the local grants made so
        // far when the other store is first seen waiting in the server's queue. Granted before it was seen: it waited
        // less than a poll, and no local grant can be said to have come after its join.
        await using var monitor = Npgsql.NpgsqlDataSource.Create(fixture.Server.ConnectionString);
        await using var seen = monitor.CreateCommand(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.application_name = $1");
        seen.Parameters.AddWithValue(app);
        int? before = null;
        while (before is null && !remoteNext.IsCompleted)
        {
            if ((long)(await seen.ExecuteScalarAsync())! > 0) lock (grants) before = grants.Count;
        }
        long remoteToken;
        await using (var remoteHold = await remoteNext.WaitAsync(Guard))
        {
            remoteToken = remoteHold.FencingToken;
            // Let the local callers have the lock again afterwards.
            await Task.Delay(50);
        }
        int after;
        lock (grants) after = grants.Count;
        await Eventually.TrueAsync(() => Task.FromResult(grants.Count > after + 5), "the local callers go on after the other store");
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        lock (grants) return (remoteToken, before is { } b ? grants.Skip(b).Count(t => t < remoteToken) : 0, grants.ToArray());
    }

    [Fact]
    public async Task A_lost_hold_is_the_holders_loss_and_the_local_waiters_are_granted_on_a_new_connection_with_higher_tokens()
    {
        await using var provider = LockProvider.Create(fixture.Uri());
        var store = (PostgresLockStore)((LockProvider)provider).Store;
        var name = NewName("cohort-lost");
        var held = await provider.CreateLock(name).AcquireAsync(Guard);
        var waiters = Enumerable.Range(0, 2).Select(_ => SeparateFlow.Run(async () =>
        {
            var h = await provider.CreateLock(name).AcquireAsync(Guard);
            var token = h.FencingToken;
            await h.DisposeAsync();
            return token;
        })).ToArray();
        await Eventually.TrueAsync(() => Task.FromResult(store.LocalWaiters(name) == 2), "two callers wait in the local line");

        await PgLocks.TerminateHolderAsync(fixture.Server, name);
        await Task.Delay(Timeout.Infinite, held.LostToken).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(15));
        await held.DisposeAsync();

        var tokens = await Task.WhenAll(waiters).WaitAsync(Guard);
        Assert.All(tokens, t => Assert.True(t > held.FencingToken, $"Token {t} is not above the lost holder's {held.FencingToken}."));
        Assert.True(tokens[1] > tokens[0] || tokens[0] > tokens[1]);
    }

    [Fact]
    public async Task When_the_server_crashes_under_waiting_callers_of_one_store_every_wait_ends_well_before_its_timeout()
    {
        // Its own server: the crash must not reach the other tests' fixture.
        await using var server = await PostgresServer.StartAsync(maxConnections: 50);
        var uri = server.Uri + "&lease=6s&Timeout=3";
        var name = NewName("cohort-crash");
        await using var holder = LockProvider.Create(uri);
        await using var provider = LockProvider.Create(uri);
        var store = (PostgresLockStore)((LockProvider)provider).Store;
        var held = await holder.CreateLock(name).AcquireAsync(Guard);
        // One caller of the store waits at the server, two in its memory behind it; each may wait five minutes.
        var waits = new List<Task<long>>();
        for (var i = 0; i < 3; i++)
        {
            waits.Add(SeparateFlow.Run(async () =>
            {
                await using var h = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromMinutes(5));
                return h.FencingToken;
            }));
            if (i == 0) await Eventually.TrueAsync(async () => await WaitingAsync(server, name) == 1, "the first caller waits at the server");
        }
        await Eventually.TrueAsync(() => Task.FromResult(store.LocalWaiters(name) == 2), "two callers wait in the store's line");

        await server.Process.KillAsync(); // SIGKILL: every backend gone, the waiting one included
        await server.StartAgainAsync();

        // Each wait ends, granted (the lock is free after the crash) or with an error, within a minute, not five.
        var outcomes = new List<string>();
        foreach (var wait in waits)
        {
            try
            {
                outcomes.Add("granted " + await wait.WaitAsync(TimeSpan.FromMinutes(1)));
            }
            catch (TimeoutException)
            {
                Assert.Fail("A wait was still running a minute after the crash: " + string.Join(", ", outcomes));
            }
            catch (Exception ex)
            {
                outcomes.Add(ex.GetType().Name);
            }
        }
        Assert.Equal(3, outcomes.Count);
        Assert.Equal(0, store.LocalWaiters(name));
        // And the store grants again afterwards.
        await using var again = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30));
        Assert.False(again.IsLost);
        await held.DisposeAsync();
    }

    private static async Task<int> WaitingAsync(PostgresServer server, string name)
        => int.Parse((await server.PsqlAsync($"SELECT count(*) FROM pg_locks WHERE NOT granted AND {PgLocks.KeyFilter(name)}")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
