using Padlock.Bench.Harness;
using Padlock.Bench.Processes;
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
                    + $"each contender with its defaults; load average at the start {OneNameTable.LoadAverage()}.\n");

        report.Line("**1a. Reference: one cross-process wake-up, and the critical section alone**\n");
        var (oneWay, cs) = await WakeUpReference.MeasureAsync(server.Endpoint, settings);
        report.Table([oneWay, cs]);
        var fifo = 1000 / (oneWay.P50 + cs.P50);
        report.Line($"\nStrict FIFO hand-off between processes, one wake-up per grant: at most 1 / ({Report.F(oneWay.P50)} + {Report.F(cs.P50)}) ms = **{Report.F(fifo, "0")} grants/s**.\n");

        report.Line("**1b. One name, a counter in Redis incremented under the lock by GET then SET** (waits = acquire call until granted):\n");
        OneNameTable.Header(report, "FIFO bound");
        foreach (var (processes, callers) in OneNameLayouts)
        {
            foreach (var (kind, label) in Contenders)
            {
                var (run, counter) = await RunAsync(server.Endpoint, kind, processes, 1, callers, settings, counter: true, db);
                OneNameTable.Row(report, label, processes, callers, run, counter, fifo, settings);
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
            var (run, _) = await RunAsync(server.Endpoint, kind, ManyProcesses, ManyNames, ManyCallers, settings, counter: false, db,
                async () => before = await ServerCost.SnapshotAsync(iserver, server.Endpoint),
                async () => after = await ServerCost.SnapshotAsync(iserver, server.Endpoint));
            var rate = run.Results.Sum(r => r.Grants.Sum()) / settings.Duration.TotalSeconds;
            var grants = (double)run.Results.Sum(r => r.AllGrants);
            var cost = after!.Since(before!);
            var perProcess = run.Results.Select(r => cost.PubSubBytesByPid.GetValueOrDefault(r.Pid) / grants).Order().ToArray();
            report.Line($"| {label} | {Report.F(rate, "0")} | {Report.F(run.Waits.Quantile(0.5))} | {Report.F(run.Waits.Quantile(0.99))} | "
                        + $"{Report.F(run.Waits.MaxMs, "0.0")} | {Report.F(cost.CpuSeconds * 1e6 / grants, "0.0")} | {Report.F(cost.NetOutBytes / grants, "0")} | "
                        + $"{Report.F(cost.Publishes / grants, "0.00")} | {cost.Subscribers} | {Report.F(perProcess[0], "0.0")} / {Report.F(perProcess[perProcess.Length / 2], "0.0")} / {Report.F(perProcess[^1], "0.0")} | "
                        + $"{Report.F(perProcess.Sum(), "0")} | {run.Overlaps} | {run.Errors} |");
        }
        report.Line($"\nLoad average at the end {OneNameTable.LoadAverage()}. {OneNameTable.Legend}");
    }

    private static async Task<(ProcessRun Run, long Counter)> RunAsync(string endpoint, string kind, int processes, int names, int callers,
        BenchSettings settings, bool counter, IDatabase db, Func<Task>? idleBefore = null, Func<Task>? idleAfter = null)
    {
        var prefix = $"procs-{kind}-{processes}x{callers}-{names}-{Guid.NewGuid().ToString("N")[..6]}:";
        var counterKey = counter ? "bench:counter:" + prefix : null;
        var run = await ProcessRun.RunAsync(LockWorker.Flag, processes, WorkerPlan.For(kind, prefix, names, callers, settings, counterKey, endpoint), idleBefore, idleAfter);
        if (counterKey is null) return (run, 0);
        var value = (long)await db.StringGetAsync(counterKey);
        await db.KeyDeleteAsync(counterKey);
        return (run, value);
    }
}
