using System.Globalization;
using Padlock.Bench.Harness;
using Padlock.LocalServers;
using StackExchange.Redis;

namespace Padlock.Bench.RedisProcesses;

/// <summary>
/// Redis locks with every client its own OS process (a <see cref="LockWorker"/>), Padlock's redis:// beside
/// DistributedLock.Redis 1.1.1 and RedLock.net 2.3.2 (each with its defaults) on one redis-server started here:
/// one name with a counter incremented under the lock, against the cost of a cross-process wake-up per grant; then
/// many processes on many names with the server's cost per grant.
/// </summary>
public sealed class RedisProcessesSuite : IBenchSuite
{
    /// <summary>Case 1 layouts: processes x callers per process, all on one name.</summary>
    private static readonly (int Processes, int Callers)[] OneNameLayouts = [(4, 2), (8, 1)];

    /// <summary>Case 3: processes, names (each acquire picks one at random) and callers per process; no hold.</summary>
    private const int ManyProcesses = 32;
    private const int ManyNames = 256;
    private const int ManyCallers = 2;

    private static readonly (string Kind, string Label)[] Contenders =
        [("padlock", "Padlock redis:// (default: 2 ms / 64-grant hand-off slice)"), ("padlock-strict", "Padlock redis://?slice=0ms (strict FIFO between processes)"),
         ("dl", "DistributedLock.Redis"), ("redlock", "RedLock.net")];

    /// <inheritdoc/>
    public string Name => "redis-procs";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await RedisServer.StartAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",allowAdmin=true");
        var db = admin.GetDatabase();
        report.Line($"redis-server {server.Endpoint} (no persistence); every client its own OS process (this binary in worker mode); "
                    + $"each contender with its defaults; load average at the start {LoadAverage()}.\n");

        report.Line("**1a. Reference: one cross-process wake-up, and the critical section alone**\n");
        var (oneWay, cs) = await WakeUpReference.MeasureAsync(server.Endpoint, settings);
        report.Table([oneWay, cs]);
        var fifo = 1000 / (oneWay.P50 + cs.P50);
        report.Line($"\nStrict FIFO hand-off between processes, one wake-up per grant: at most 1 / ({Report.F(oneWay.P50)} + {Report.F(cs.P50)}) ms = **{Report.F(fifo, "0")} grants/s**.\n");

        report.Line("**1b. One name, a counter in Redis incremented under the lock by GET then SET** (waits = acquire call until granted):\n");
        report.Line("| contender | processes x callers | grants/s | vs FIFO bound | wait p50 ms | p99 ms | max ms | Jain (processes) | Jain (callers) | grants per process | counter exact | overlaps | errors |");
        report.Line("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|");
        foreach (var (processes, callers) in OneNameLayouts)
        {
            foreach (var (kind, label) in Contenders)
            {
                var run = await RunAsync(server.Endpoint, kind, processes, 1, callers, settings, counter: true, db);
                var perProcess = run.Results.Select(r => r.Grants.Sum()).ToArray();
                var rate = perProcess.Sum() / settings.Duration.TotalSeconds;
                var all = run.Results.Sum(r => r.WarmupGrants + r.AllGrants);
                report.Line($"| {label} | {processes} x {callers} | {Report.F(rate, "0")} | {Report.F(rate / fifo, "0.00")}x | {Report.F(run.Waits.Quantile(0.5))} | "
                            + $"{Report.F(run.Waits.Quantile(0.99))} | {Report.F(run.Waits.MaxMs, "0.0")} | {Report.F(WorkerResult.Jain(perProcess))} | "
                            + $"{Report.F(WorkerResult.Jain(run.Results.SelectMany(r => r.Grants)))} | {string.Join(" ", perProcess)} | "
                            + $"{(run.Counter == all ? "yes" : "**NO**")} ({run.Counter}/{all}) | {Overlaps(run.Results)} | {Errors(run.Results)} |");
            }
        }

        report.Line($"\n**2. Many names, many processes: {ManyProcesses} processes x {ManyCallers} callers, random names of {ManyNames}, no hold** "
                    + "(server cost = Redis INFO after minus before the run, taken while every worker is idle, divided by the run's grants; pub/sub bytes = kernel bytes_received on each process's subscriber sockets over the same span):\n");
        report.Line("| contender | grants/s | wait p50 ms | p99 ms | max ms | server CPU µs/grant | bytes sent/grant | PUBLISH/grant | subscriber connections | pub/sub bytes/grant received per process, min / median / max | all processes' pub/sub bytes/grant | overlaps | errors |");
        report.Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (var (kind, label) in Contenders.Where(c => c.Kind is "padlock" or "dl"))
        {
            ServerCost? before = null, after = null;
            var iserver = admin.GetServer(server.Endpoint);
            var run = await RunAsync(server.Endpoint, kind, ManyProcesses, ManyNames, ManyCallers, settings, counter: false, db,
                async () => before = await ServerCost.SnapshotAsync(iserver, server.Endpoint),
                async () => after = await ServerCost.SnapshotAsync(iserver, server.Endpoint));
            var rate = run.Results.Sum(r => r.Grants.Sum()) / settings.Duration.TotalSeconds;
            var grants = (double)run.Results.Sum(r => r.AllGrants);
            var cost = after!.Since(before!);
            var perProcess = run.Results.Select(r => cost.PubSubBytesByPid.GetValueOrDefault(r.Pid) / grants).Order().ToArray();
            report.Line($"| {label} | {Report.F(rate, "0")} | {Report.F(run.Waits.Quantile(0.5))} | {Report.F(run.Waits.Quantile(0.99))} | "
                        + $"{Report.F(run.Waits.MaxMs, "0.0")} | {Report.F(cost.CpuSeconds * 1e6 / grants, "0.0")} | {Report.F(cost.NetOutBytes / grants, "0")} | "
                        + $"{Report.F(cost.Publishes / grants, "0.00")} | {cost.Subscribers} | {Report.F(perProcess[0], "0.0")} / {Report.F(perProcess[perProcess.Length / 2], "0.0")} / {Report.F(perProcess[^1], "0.0")} | "
                        + $"{Report.F(perProcess.Sum(), "0")} | {Overlaps(run.Results)} | {Errors(run.Results)} |");
        }
        report.Line($"\nLoad average at the end {LoadAverage()}. Jain = (Σx)² / (n·Σx²) over grant counts in the window (1 = even). "
                    + "Overlaps = failed compare-and-swaps of a per-name in-critical-section flag in a file all processes map (must be 0).");
    }

    private static async Task<(WorkerResult[] Results, WaitHistogram Waits, long Counter)> RunAsync(string endpoint, string kind, int processes, int names, int callers,
        BenchSettings settings, bool counter, IDatabase db, Func<Task>? idleBefore = null, Func<Task>? idleAfter = null)
    {
        var prefix = $"procs-{kind}-{processes}x{callers}-{names}-{Guid.NewGuid().ToString("N")[..6]}:";
        var counterKey = counter ? "bench:counter:" + prefix : "-";
        var flagsFile = Path.Combine(Path.GetTempPath(), $"padlock-bench-flags-{Guid.NewGuid():N}");
        OverlapFlags.Create(flagsFile, names);
        try
        {
            var args = Enumerable.Range(0, processes).Select(_ => new[]
            {
                LockWorker.Flag, kind, endpoint, prefix, I(names), I(callers), S(settings.Warmup), S(settings.Duration), flagsFile, counterKey,
            }).ToArray();
            var results = await WorkerProcesses.RunAsync(args, idleBefore, idleAfter);
            var waits = new WaitHistogram();
            foreach (var r in results) waits.Merge(r.Waits);
            var value = counter ? (long)await db.StringGetAsync(counterKey) : 0;
            if (counter) await db.KeyDeleteAsync(counterKey);
            return (results, waits, value);
        }
        finally
        {
            File.Delete(flagsFile);
        }
    }

    private static string Overlaps(WorkerResult[] results)
    {
        var n = results.Sum(r => r.Overlaps);
        return n == 0 ? "0" : $"**{n}**";
    }

    private static string Errors(WorkerResult[] results)
    {
        var n = results.Sum(r => r.Errors);
        var abandoned = results.Count(r => r.Abandoned);
        var last = results.Select(r => r.LastError).LastOrDefault(e => e is not null);
        return (n == 0 ? "0" : $"{n} ({last})") + (abandoned == 0 ? "" : $", {abandoned} processes left callers blocked");
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string S(TimeSpan t) => t.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
