using Npgsql;
using Padlock.LocalServers;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// Tokens inside a block commit without waiting for the WAL flush, so a crash loses the last grants' commits. These
/// tests make that loss likely (the WAL writer writes and flushes every 10 s here, and nothing else writes between
/// grants; a process crash loses the WAL not yet written), repeat the crash until two of them lost grants, and check that no token handed out after the crash is at or below one handed out before it: both for a whole-server
/// crash (SIGKILL of every process, then crash recovery on start) and for a backend crash, after which the postmaster
/// reinitialises and recovers without restarting (so <c>pg_postmaster_start_time()</c> does not change).
/// </summary>
public sealed class PostgresTokenBlockTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Grants in the first round; later rounds grant only 3, so a crash soon after a block's opening grant (the first after a recovery) would lose it unless it was flushed.</summary>
    private const int Grants = 50;

    private const int Rounds = 8;

    [Fact]
    public async Task After_server_crashes_right_after_unflushed_grants_every_token_is_above_every_earlier_one()
    {
        await using var server = await StartAsync();
        await CrashRoundsAsync(server, "crash", async () =>
        {
            await server.Process.KillAsync(); // SIGKILL, backends included: WAL not yet written is gone
            await server.StartAgainAsync();
        });
    }

    [Fact]
    public async Task After_server_crashes_right_after_unflushed_turns_of_local_callers_every_token_is_above_every_earlier_one()
    {
        // Four callers of one store: turns reserve ranges of tokens (batch=8), committed unflushed inside a block.
        await using var server = await StartAsync();
        await CrashRoundsAsync(server, "crash-turns", async () =>
        {
            await server.Process.KillAsync();
            await server.StartAgainAsync();
        }, callers: 4);
    }

    [Fact]
    public async Task After_backend_crashes_the_postmaster_survives_and_every_token_is_still_above_every_earlier_one()
    {
        await using var server = await StartAsync();
        var started = await server.PsqlAsync("SELECT pg_postmaster_start_time()");
        await CrashRoundsAsync(server, "backend", () => CrashOneBackendAsync(server));
        Assert.Equal(started, await server.PsqlAsync("SELECT pg_postmaster_start_time()")); // what a start-time check would miss
    }

    /// <summary>
    /// Rounds of grants, each ended by <paramref name="crash"/>, until two crashes lost grants (a later loss comes
    /// right after a block was opened by the grant after a recovery: that opening must have been flushed), then grants once more.
    /// </summary>
    private async Task CrashRoundsAsync(PostgresServer server, string prefix, Func<Task> crash, int callers = 1)
    {
        var (uri, name) = (server.Uri + "&lease=6s&table=blocks&batch=8", prefix + "-" + Guid.NewGuid().ToString("N"));
        long last = 0;
        var lossy = 0;
        for (var round = 0; round < Rounds && lossy < 2; round++)
        {
            last = await GrantAsync(uri, name, round == 0 ? Grants : 3 * callers, last, callers);
            await crash();
            if (await LostAsync(server, name, last)) lossy++;
        }
        await GrantAsync(uri, name, Grants, last, callers);
        Assert.True(lossy == 2, $"Only {lossy} of {Rounds} crashes lost grants: too little was tested.");
    }

    /// <summary>A server whose WAL writer waits 10 s between flushes, so unflushed commits stay unflushed.</summary>
    private static async Task<PostgresServer> StartAsync()
    {
        var server = await PostgresServer.StartAsync(maxConnections: 50);
        await server.PsqlAsync("ALTER SYSTEM SET wal_writer_delay = '10s'");
        await server.PsqlAsync("SELECT pg_reload_conf()");
        return server;
    }

    /// <summary>
    /// <paramref name="callers"/> callers of one store take and release the lock <paramref name="count"/> times in all;
    /// each token must be above <paramref name="above"/> and the one granted before it.
    /// </summary>
    private static async Task<long> GrantAsync(string uri, string name, int count, long above, int callers = 1)
    {
        await using var provider = LockProvider.Create(uri);
        var left = count;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Padlock.Testing.SeparateFlow.Run(async () =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                await using var hold = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30));
                var before = Interlocked.Exchange(ref above, hold.FencingToken); // holds do not overlap: no race
                Assert.True(hold.FencingToken > before, $"Token {hold.FencingToken} is not above {before}, handed out earlier.");
                await Task.Yield();
            }
        })));
        return above;
    }

    /// <summary>SIGKILL of one idle backend: the postmaster ends every session, reinitialises and runs crash recovery.</summary>
    private static async Task CrashOneBackendAsync(PostgresServer server)
    {
        var pid = int.Parse(await server.PsqlAsync("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"), System.Globalization.CultureInfo.InvariantCulture);
        await using (var victim = new NpgsqlConnection(server.ConnectionString + ";Pooling=false")) // never back to a pool: it dies
        {
            await victim.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", victim);
            var backend = (int)(await command.ExecuteScalarAsync())!;
            using var process = System.Diagnostics.Process.GetProcessById(backend);
            process.Kill(); // SIGKILL
        }
        // Recovered once the reinitialised server answers with a new checkpointer (the old one was ended with the rest).
        await Eventually.TrueAsync(async () =>
        {
            try { return await server.PsqlAsync("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'") is { Length: > 0 } now && now != pid.ToString(System.Globalization.CultureInfo.InvariantCulture); }
            catch (InvalidOperationException) { return false; }
        }, "the server recovered from the backend crash", TimeSpan.FromSeconds(60));
    }

    /// <summary>Whether the crash lost grants: the row after recovery is below the last token handed out.</summary>
    private async Task<bool> LostAsync(PostgresServer server, string name, long last)
    {
        var row = long.Parse(await server.PsqlAsync($"SELECT token FROM blocks WHERE name = '{name}'"), System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"last token handed out {last}, row after recovery {row}");
        return row < last;
    }
}
