using Padlock.Bench.Harness;
using Padlock.LocalServers;

namespace Padlock.Bench.RedisPrimitives;

/// <summary>
/// Padlock's redis:// semaphore and reader-writer lock against DistributedLock.Redis's on one local redis-server, in
/// the same run, with one client (connection) per worker and a precise 1 ms hold, next to the physical limit the
/// hold sets (permits / hold for the semaphore; perfect read batching for the reader-writer lock).
/// </summary>
public sealed class RedisPrimitivesSuite : IBenchSuite
{
    private const int Workers = 16;
    private const int Permits = 4;
    private const double ReadShare = 0.9;
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(1);

    /// <inheritdoc/>
    public string Name => "redis-primitives";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        PreciseHold.Reserve(Workers);
        await using var server = await RedisServer.StartAsync();
        await using var padlock = PrimitiveSide.Padlock(server.Endpoint, Workers, Permits);
        await using var peer = await PrimitiveSide.DistributedLockAsync(server.Endpoint, Workers, Permits);
        report.Line($"redis-server {server.Endpoint} (no persistence), one process, {Workers} workers each with its own connection; " +
                    $"hold {Hold.TotalMilliseconds} ms (sleep + spin); defaults of both libraries.\n");
        var sems = new[]
        {
            await SemaphoreRun.RunAsync(padlock, Workers, Permits, Hold, settings),
            await SemaphoreRun.RunAsync(peer, Workers, Permits, Hold, settings),
        };
        SemaphoreTable(report, sems);
        var rws = new[]
        {
            await ReaderWriterRun.RunAsync(padlock, Workers, ReadShare, Hold, settings),
            await ReaderWriterRun.RunAsync(peer, Workers, ReadShare, Hold, settings),
        };
        ReaderWriterTable(report, rws);
    }

    private static void SemaphoreTable(Report report, SemaphoreResult[] rows)
    {
        var peer = rows[^1];
        report.Line($"**Semaphore, {Permits} permits, {Workers} workers, {Hold.TotalMilliseconds} ms hold** (waits in ms):\n");
        report.Line("| case | grants/s | vs peer | wait p50 | wait p99 | wait max | Jain | max holders | overlaps | mean hold ms |");
        report.Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        report.Line($"| limit: permits / hold | {Report.F(Permits / Hold.TotalSeconds, "0")} | | | | | 1.000 | {Permits} | 0 | {Report.F(Hold.TotalMilliseconds)} |");
        foreach (var r in rows)
            report.Line($"| limit: permits / {r.Label.Split(' ')[0]}'s measured hold | {Report.F(Permits / r.MeanHoldMs * 1000, "0")} | | | | | | | | {Report.F(r.MeanHoldMs)} |");
        foreach (var r in rows)
            report.Line($"| {r.Label} | {Report.F(r.GrantsPerSecond, "0")} | {Report.F(r.GrantsPerSecond / peer.GrantsPerSecond, "0.00")}x | {Report.F(r.WaitP50)} | " +
                        $"{Report.F(r.WaitP99)} | {Report.F(r.WaitMax)} | {Report.F(r.Jain)} | {r.MaxHolders} | {r.Overlaps} | {Report.F(r.MeanHoldMs)} |");
        report.Line("");
        foreach (var r in rows) report.Line($"- {r.Label}: grants per worker {string.Join(" ", r.PerWorker)}");
        report.Line("");
    }

    private static void ReaderWriterTable(Report report, ReaderWriterResult[] rows)
    {
        var peer = rows[^1];
        // Bound when reads are perfectly batched: writes run alone, reads fill all workers at once.
        var limit = Workers / (Hold.TotalSeconds * (ReadShare + Workers * (1 - ReadShare)));
        report.Line($"**Reader-writer lock, {Workers} workers, {ReadShare:P0} reads, {Hold.TotalMilliseconds} ms hold** (waits in ms):\n");
        report.Line("| case | ops/s | vs peer | reads / writes | wait p50 | wait p99 | read p99 | write p99 | longest writer wait | longest read batch | writer / batch | Jain | violations |");
        report.Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        report.Line($"| limit: perfect read batching | {Report.F(limit, "0")} | | | | | | | | | | 1.000 | 0 |");
        foreach (var r in rows)
            report.Line($"| {r.Label} | {Report.F(r.OpsPerSecond, "0")} | {Report.F(r.OpsPerSecond / peer.OpsPerSecond, "0.00")}x | {r.Reads} / {r.Writes} | " +
                        $"{Report.F(r.WaitP50)} | {Report.F(r.WaitP99)} | {Report.F(r.ReadWaitP99)} | {Report.F(r.WriteWaitP99)} | {Report.F(r.LongestWriterWaitMs)} | " +
                        $"{Report.F(r.LongestReadBatchMs)} | {Report.F(r.LongestWriterWaitMs / r.LongestReadBatchMs, "0.00")}x | {Report.F(r.Jain)} | {r.Violations} |");
        report.Line("");
    }
}
