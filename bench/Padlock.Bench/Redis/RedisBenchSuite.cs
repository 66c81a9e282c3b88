using Padlock.Bench.Harness;
using Padlock.LocalServers;
using Padlock.Redis;
using Padlock.Redis.Cohort;
using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using StackExchange.Redis;

namespace Padlock.Bench.Redis;

/// <summary>
/// Padlock's redis:// store against DistributedLock.Redis and RedLock.net on one local redis-server, with the
/// physical limit (PING round trips on the same connection, halved: an acquire+release is at least two) in the same run:
/// uncontended, 8 workers on one lock incrementing a counter in Redis, and 64 workers on 64 names.
/// </summary>
public sealed class RedisBenchSuite : IBenchSuite
{
    /// <inheritdoc/>
    public string Name => "redis";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await RedisServer.StartAsync();
        var padlock = Contender.Padlock(server.Endpoint, out var provider);
        var peers = new[] { await Contender.DistributedLockAsync(server.Endpoint), await Contender.RedLockNetAsync(server.Endpoint) };
        var mux = await ((RedisLockStore)provider.Store).ConnectionAsync();
        var db = mux.GetDatabase();
        await using var workMux = await ConnectionMultiplexer.ConnectAsync(server.Endpoint);
        try
        {
            report.Line($"redis-server {server.Endpoint} (no persistence), one client process; Padlock defaults (30 s lease).\n");
            await UncontendedAsync(settings, report, db, [padlock, .. peers]);
            var twoStores = Contender.PadlockTwoStores(server.Endpoint);
            await ContendedAsync(settings, report, workMux.GetDatabase(), [padlock, twoStores, .. peers]);
            await twoStores.DisposeAsync();
            await ManyLocksAsync(settings, report, db, [padlock, .. peers]);
        }
        finally
        {
            foreach (var c in peers) await c.DisposeAsync();
            await padlock.DisposeAsync();
        }
    }

    private static async Task UncontendedAsync(BenchSettings settings, Report report, IDatabase db, Contender[] contenders)
    {
        report.Line("**1. Uncontended acquire+release, one worker, one name** (latency = acquire + release):\n");
        // Where Padlock's time goes: its own commands alone (the free path's batch, then the release script), without
        // the lease, renewal, handle and telemetry around them.
        var keys = LockKeys.For("padlock:", "bench-commands-only");
        var token = "0000000000000000/30000:bench";
        var inbox = RedisChannel.Literal("padlock:inbox:");
        // Interleaved: every case alternates in short rounds with the others, so drift during the run falls on all alike.
        var measured = await Interleaved.RunAsync(
        [
            ("PING on Padlock's connection", async _ => await db.PingAsync()),
            ("Padlock's commands alone", async _ =>
            {
                var batch = db.CreateBatch();
                var queued = batch.KeyExistsAsync(keys.Queue);
                var set = batch.StringSetAsync(keys.Lock, token, TimeSpan.FromSeconds(30), When.NotExists);
                var fence = batch.StringIncrementAsync(keys.Fence, CohortHold.Block);
                batch.Execute();
                await Task.WhenAll(queued, set, fence);
                await ReleaseScript.RunAsync(db, keys, token, TimeSpan.FromSeconds(30), inbox, alwaysPublish: false, CohortHold.Block);
            }),
            .. contenders.Select(c => (c.Label, (Func<int, ValueTask>)(async _ =>
            {
                await using var h = await c.AcquireAsync("bench-uncontended-" + c.Label);
            }))),
        ], 1, settings);
        var limit = Halved(measured[0], "physical limit (PING/2)");
        var rows = new List<Stats> { measured[0], limit };
        rows.AddRange(measured.Skip(1));
        report.Table(rows, limit);
    }

    private static async Task ContendedAsync(BenchSettings settings, Report report, IDatabase work, Contender[] contenders)
    {
        const int workers = 8;
        report.Line($"\n**2. Contended: {workers} workers on one lock, each GET+SET of a counter in Redis under the lock** (latency columns = wait for the lock):\n");
        var results = new List<(Stats Waits, long Counter, long Increments)>();
        foreach (var c in contenders) results.Add(await ContendedRun.RunAsync(c, workers, settings, work));
        report.Table(results.Select(r => r.Waits));
        report.Line("");
        report.Line("| case | acquisitions/s | p99 wait / fair queue's wait | worker shares | counter exact |");
        report.Line("|---|---:|---:|---|---|");
        foreach (var (waits, counter, increments) in results)
        {
            // In a perfectly fair queue every acquisition waits for the other workers' turns: (workers - 1) / rate.
            var fairWaitMs = (workers - 1) / waits.OpsPerSecond * 1000;
            report.Line($"| {waits.Label} | {Report.F(waits.OpsPerSecond, "0")} | {Report.F(waits.P99 / fairWaitMs, "0.00")} ({Report.F(fairWaitMs, "0.0")} ms fair) | {string.Join(" ", waits.PerWorker)} | {(counter == increments ? "yes" : "NO")} ({counter}/{increments}) |");
        }
    }

    private static async Task ManyLocksAsync(BenchSettings settings, Report report, IDatabase db, Contender[] contenders)
    {
        const int workers = 64;
        report.Line($"\n**3. Many locks: {workers} workers, each on its own name** (latency = acquire + release):\n");
        // Interleaved in short rounds, except a contender whose calls can take seconds (RedLock.net starves the thread
        // pool here: a round could not end on time), which runs after on its own.
        var (alternating, alone) = (contenders.Where(c => !c.Label.StartsWith("RedLock", StringComparison.Ordinal)).ToArray(),
            contenders.Where(c => c.Label.StartsWith("RedLock", StringComparison.Ordinal)).ToArray());
        var measured = await Interleaved.RunAsync(
            [($"PING x{workers} on Padlock's connection", async _ => await db.PingAsync()), .. alternating.Select(c => ($"{c.Label} x{workers}", ManyNames(c, workers)))],
            workers, settings);
        var limit = Halved(measured[0], "raw command rate / 2");
        var rows = new List<Stats> { measured[0], limit };
        rows.AddRange(measured.Skip(1));
        foreach (var c in alone) rows.Add(await Measure.RunAsync($"{c.Label} x{workers}", workers, settings, ManyNames(c, workers)));
        report.Table(rows, limit);
    }

    private static Func<int, ValueTask> ManyNames(Contender c, int workers)
    {
        var names = Enumerable.Range(0, workers).Select(i => $"bench-many-{c.Label}-{i}").ToArray();
        return async w =>
        {
            await using var h = await c.AcquireAsync(names[w]);
        };
    }

    private static Stats Halved(Stats s, string label)
        => s with { Label = label, OpsPerSecond = s.OpsPerSecond / 2, P50 = s.P50 * 2, P90 = s.P90 * 2, P99 = s.P99 * 2, Max = s.Max * 2, Count = s.Count / 2 };
}
