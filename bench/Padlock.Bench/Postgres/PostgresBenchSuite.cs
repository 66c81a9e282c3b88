using System.Diagnostics;
using Medallion.Threading.Postgres;
using Npgsql;
using Padlock.Bench.Harness;
using Padlock.LocalServers;

namespace Padlock.Bench.Postgres;

/// <summary>
/// Padlock's postgres:// store against DistributedLock.Postgres 1.3.1 on one local PostgreSQL, with the floors in the
/// same run (a <c>SELECT 1</c> round trip and a committed single-row update on a pooled connection): uncontended
/// acquire+release, and 8 workers on one lock each incrementing a counter row (read, then write) while holding it.
/// </summary>
public sealed class PostgresBenchSuite : IBenchSuite
{
    private const int Workers = 8;

    /// <inheritdoc/>
    public string Name => "postgres";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await PostgresServer.StartAsync();
        var connectionString = server.ConnectionString;
        await using var work = NpgsqlDataSource.Create(connectionString);
        await using var padlock = LockProvider.Create(server.Uri);
        // The same store on a counter table without its unlogged _live companion (made before it, createschema off):
        // every grant is committed with a WAL flush, as before token blocks.
        await using (var legacyTable = work.CreateCommand(Padlock.Postgres.PostgresLockStore.SchemaSql("bench_flushed").Split(";\n")[0]))
            await legacyTable.ExecuteNonQueryAsync();
        await using var flushed = LockProvider.Create(server.Uri + "&table=bench_flushed&createschema=false");
        await using var strict = LockProvider.Create(server.Uri + "&slice=0ms");
        var contenders = new (string Label, Func<string, ValueTask<IAsyncDisposable>> Acquire)[]
        {
            ("Padlock postgres://, every grant flushed (no _live table)", async name => await flushed.CreateLock(name).AcquireAsync()),
            ("Padlock postgres://?slice=0ms (every hand-off through the server's queue)", async name => await strict.CreateLock(name).AcquireAsync()),
            ("Padlock postgres://", async name => await padlock.CreateLock(name).AcquireAsync()),
            ("DistributedLock.Postgres", async name => await new PostgresDistributedLock(new PostgresAdvisoryLockKey(name, allowHashing: true), connectionString).AcquireAsync()),
        };
        await using (var create = work.CreateCommand("CREATE TABLE bench_counter (name text PRIMARY KEY, v bigint NOT NULL)"))
            await create.ExecuteNonQueryAsync();
        report.Line($"PostgreSQL 127.0.0.1:{server.Port} (fresh initdb, fsync on), one client process; Padlock defaults (30 s lease).\n");

        report.Line("**1. Uncontended acquire+release, one worker, one name** (latency = acquire + release):\n");
        await using var floorConnection = await work.OpenConnectionAsync();
        var select1 = await Measure.RunAsync("floor: SELECT 1 round trip", 1, settings, async _ =>
        {
            await using var c = new NpgsqlCommand("SELECT 1", floorConnection);
            await c.ExecuteScalarAsync();
        });
        await using (var seed = new NpgsqlCommand("INSERT INTO bench_counter VALUES ('floor', 0)", floorConnection)) await seed.ExecuteNonQueryAsync();
        var update = await Measure.RunAsync("floor: committed single-row update", 1, settings, async _ =>
        {
            await using var c = new NpgsqlCommand("UPDATE bench_counter SET v = v + 1 WHERE name = 'floor'", floorConnection);
            await c.ExecuteNonQueryAsync();
        });
        // The floor of any advisory-lock design: the peer's two statements on an open connection, nothing written.
        var bare = await Measure.RunAsync("floor: try-lock, then unlock (no token written)", 1, settings, async _ =>
        {
            await using (var c = new NpgsqlCommand("SELECT pg_try_advisory_lock(43)", floorConnection)) await c.ExecuteScalarAsync();
            await using var u = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", floorConnection);
            await u.ExecuteScalarAsync();
        });
        // The floor of Padlock's design: its two round trips without the pool, settings, keep-alive, handle or telemetry.
        var grant = await Measure.RunAsync("floor: try-lock + committed (flushed) token upsert, then unlock", 1, settings, async _ =>
        {
            await using (var c = new NpgsqlCommand("INSERT INTO bench_counter AS f (name, v) SELECT 'grant', 1 WHERE pg_try_advisory_lock(42) ON CONFLICT (name) DO UPDATE SET v = f.v + 1 RETURNING v", floorConnection))
                await c.ExecuteScalarAsync();
            await using var u = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", floorConnection);
            await u.ExecuteScalarAsync();
        });
        // The floor of the grant inside a token block: the same upsert committed without waiting for the WAL flush.
        var unflushed = await Measure.RunAsync("floor: try-lock + unflushed token upsert, then unlock", 1, settings, async _ =>
        {
            await using (var c = new NpgsqlCommand("WITH g AS (INSERT INTO bench_counter AS f (name, v) SELECT 'grant', 1 WHERE pg_try_advisory_lock(42) ON CONFLICT (name) DO UPDATE SET v = f.v + 1 RETURNING v) SELECT v, set_config('synchronous_commit', 'off', true) FROM g", floorConnection))
                await c.ExecuteScalarAsync();
            await using var u = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", floorConnection);
            await u.ExecuteScalarAsync();
        });
        var rows = new List<Stats> { select1, update, bare, grant, unflushed };
        foreach (var (label, acquire) in contenders)
        {
            var name = "bench-uncontended-" + label;
            rows.Add(await Measure.RunAsync(label, 1, settings, async _ => { await using var h = await acquire(name); }));
        }
        report.Table(rows, rows[^1]);

        report.Line($"\n**2. Contended: {Workers} workers on one lock, each reading then writing a counter row under the lock** (latency columns = wait for the lock):\n");
        // The bound for any lock: the critical section alone, back to back in one worker (8 workers cannot pass it).
        var section = await Measure.RunAsync("floor: the critical section alone (read, then committed update), one worker", 1, settings, async _ =>
        {
            await using var read = new NpgsqlCommand("SELECT v FROM bench_counter WHERE name = 'floor'", floorConnection);
            var value = (long)(await read.ExecuteScalarAsync())!;
            await using var write = new NpgsqlCommand($"UPDATE bench_counter SET v = {value + 1} WHERE name = 'floor'", floorConnection);
            await write.ExecuteNonQueryAsync();
        });
        report.Table([section]);
        report.Line("");
        var results = new List<(Stats Waits, long Counter, long Increments)>();
        foreach (var (label, acquire) in contenders) results.Add(await ContendedAsync(label, acquire, settings, work));
        report.Table(results.Select(r => r.Waits), results[^1].Waits);
        report.Line("");
        report.Line("| case | acquisitions/s | Jain fairness | worker shares | counter exact |");
        report.Line("|---|---:|---:|---|---|");
        foreach (var (waits, counter, increments) in results)
            report.Line($"| {waits.Label} | {Report.F(waits.OpsPerSecond, "0")} | {Report.F(Jain(waits.PerWorker), "0.000")} | {string.Join(" ", waits.PerWorker)} | {(counter == increments ? "yes" : "NO")} ({counter}/{increments}) |");
    }

    private static async Task<(Stats Waits, long Counter, long Increments)> ContendedAsync(
        string label, Func<string, ValueTask<IAsyncDisposable>> acquire, BenchSettings settings, NpgsqlDataSource work)
    {
        var name = "bench-contended-" + Guid.NewGuid().ToString("N")[..8];
        await using (var seed = work.CreateCommand($"INSERT INTO bench_counter VALUES ('{name}', 0)")) await seed.ExecuteNonQueryAsync();
        long increments = 0;
        async Task Phase(TimeSpan duration, List<double>[]? waits)
        {
            var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                await using var connection = await work.OpenConnectionAsync();
                while (Stopwatch.GetTimestamp() < end)
                {
                    var start = Stopwatch.GetTimestamp();
                    await using var h = await acquire(name);
                    waits?[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    // A plain read-modify-write: only the lock keeps the count exact.
                    await using var read = new NpgsqlCommand($"SELECT v FROM bench_counter WHERE name = '{name}'", connection);
                    var value = (long)(await read.ExecuteScalarAsync())!;
                    await using var write = new NpgsqlCommand($"UPDATE bench_counter SET v = {value + 1} WHERE name = '{name}'", connection);
                    await write.ExecuteNonQueryAsync();
                    Interlocked.Increment(ref increments);
                }
            })));
        }
        await Phase(settings.Warmup, null);
        var recorded = Enumerable.Range(0, Workers).Select(_ => new List<double>()).ToArray();
        var sw = Stopwatch.StartNew();
        await Phase(settings.Duration, recorded);
        var stats = Stats.From($"{label} x{Workers}", sw.Elapsed, recorded);
        await using var final = work.CreateCommand($"SELECT v FROM bench_counter WHERE name = '{name}'");
        return (stats, (long)(await final.ExecuteScalarAsync())!, increments);
    }

    /// <summary>Jain's fairness index of the worker shares: 1 when equal, 1/n when one worker has everything.</summary>
    private static double Jain(IReadOnlyList<long> shares)
    {
        double sum = shares.Sum(), squares = shares.Sum(x => (double)x * x);
        return squares == 0 ? double.NaN : sum * sum / (shares.Count * squares);
    }
}
