using Padlock.Bench.Harness;
using Padlock.Bench.RedisPrimitives;
using Padlock.LocalServers;

namespace Padlock.Bench.ZooKeeper;

/// <summary>
/// Padlock's zk:// semaphore, lock and reader-writer lock beside Curator's InterProcessSemaphoreV2, InterProcessMutex
/// and InterProcessReadWriteLock on one local ZooKeeper, in alternating rounds (Curator, Padlock, Padlock, Curator) so
/// drift in the machine's load falls on both sides alike. Each side runs in its own OS process (Curator in a JVM,
/// Padlock in this one), each worker with its own client and session; the hold is the same sleep-then-spin 1 ms on
/// both sides. Reports the median round and the range over the rounds.
/// </summary>
public sealed class CuratorBenchSuite : IBenchSuite
{
    // C P P C, twice: four rounds per side, and each side's mean position in time is the same.
    private static readonly bool[] CuratorTurns = [true, false, false, true, true, false, false, true];
    private const int Permits = 4;
    private const double ReadShare = 0.9;
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(1);

    /// <inheritdoc/>
    public string Name => "zk-curator";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        PreciseHold.Reserve(16);
        using var curator = await CuratorProcess.CompileAsync();
        await using var server = await ZooKeeperServer.StartAsync();
        report.Line($"ZooKeeper 3.8 {server.ConnectString}, one server; Curator 5.4 (Debian jars) in one JVM per round, Padlock in the bench " +
                    $"process; each worker its own client (session); hold {Hold.TotalMilliseconds} ms (sleep + spin, both sides); " +
                    $"{CuratorTurns.Length} rounds per case of {settings.Warmup.TotalSeconds} s warm-up + {settings.Duration.TotalSeconds} s, order C P P C C P P C. Load before: {Load()}.\n");

        var cases = new (string Title, string Mode, int Workers, string Curator, string Padlock)[]
        {
            ($"Semaphore, {Permits} permits, 16 workers", "semaphore", 16, "InterProcessSemaphoreV2", $"CreateSemaphore(name, {Permits})"),
            ("Lock, 8 workers on one lock", "mutex", 8, "InterProcessMutex", "CreateLock(name)"),
            ($"Reader-writer lock, 16 workers, {ReadShare:P0} reads", "rw", 16, "InterProcessReadWriteLock", "CreateReaderWriterLock(name)"),
        };
        report.Line("| case | side | grants/s median (range) | vs Curator | wait p50 ms | wait p99 ms | wait max ms | Jain | max holders | overlaps | mean hold ms |");
        report.Line("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var round = 0;
        foreach (var c in cases)
        {
            var curatorRounds = new List<CuratorRound>();
            var padlockRounds = new List<CuratorRound>();
            foreach (var curatorTurn in CuratorTurns)
            {
                var name = $"{c.Mode}-r{round++}";
                if (curatorTurn)
                    curatorRounds.Add(await curator.RunAsync(server.ConnectString, c.Mode, c.Workers, Permits, Hold, settings.Warmup, settings.Duration, ReadShare, $"/bench-curator/{name}"));
                else
                    padlockRounds.Add(await PadlockRoundAsync($"zk://{server.ConnectString}/bench-padlock", c.Mode, c.Workers, name, settings));
            }
            var baseline = Median(curatorRounds.Select(r => r.OpsPerSecond));
            Row(report, c.Title, $"Curator {c.Curator}", curatorRounds, baseline);
            Row(report, c.Title, $"Padlock zk:// {c.Padlock}", padlockRounds, baseline);
        }
        report.Line($"\nLoad after: {Load()}. Waits, Jain and holds are medians over the {CuratorTurns.Length / 2} rounds per side; " +
                    "wait max is the largest of any round; overlaps are summed (reader-writer: a writer beside anyone). Limits: semaphore 4 / hold, lock 1 / hold.");
    }

    private static async Task<CuratorRound> PadlockRoundAsync(string uri, string mode, int workers, string name, BenchSettings settings)
    {
        var providers = Enumerable.Range(0, workers).Select(_ => LockProvider.Create(uri)).ToArray();
        try
        {
            if (mode == "rw")
            {
                var rws = providers.Select(p => p.CreateReaderWriterLock(name)).ToArray();
                await using var rwSide = new PrimitiveSide("Padlock zk://", _ => throw new NotSupportedException(),
                    async (w, write) => write ? await rws[w].AcquireWriteAsync() : await rws[w].AcquireReadAsync(), []);
                return CuratorRound.From(await ReaderWriterRun.RunAsync(rwSide, workers, ReadShare, Hold, settings));
            }
            // The lock runs as a one-permit "semaphore" round, so the same code counts its overlaps.
            Func<int, ValueTask<IAsyncDisposable>> acquire;
            if (mode == "semaphore")
            {
                var sems = providers.Select(p => p.CreateSemaphore(name, Permits)).ToArray();
                acquire = async w => await sems[w].AcquireAsync();
            }
            else
            {
                var locks = providers.Select(p => p.CreateLock(name)).ToArray();
                acquire = async w => await locks[w].AcquireAsync();
            }
            await using var side = new PrimitiveSide("Padlock zk://", acquire, (_, _) => throw new NotSupportedException(), []);
            return CuratorRound.From(await SemaphoreRun.RunAsync(side, workers, mode == "semaphore" ? Permits : 1, Hold, settings));
        }
        finally
        {
            foreach (var p in providers) await p.DisposeAsync();
        }
    }

    private static void Row(Report report, string title, string side, List<CuratorRound> rounds, double baseline)
    {
        var ops = rounds.Select(r => r.OpsPerSecond).ToArray();
        var median = Median(ops);
        var maxHolders = rounds.Max(r => r.MaxHolders);
        report.Line($"| {title} | {side} | {Report.F(median, "0")} ({Report.F(ops.Min(), "0")}–{Report.F(ops.Max(), "0")}) | " +
                    $"{Report.F(median / baseline, "0.00")}x | {Report.F(Median(rounds.Select(r => r.WaitP50)), "0.0")} | " +
                    $"{Report.F(Median(rounds.Select(r => r.WaitP99)), "0.0")} | {Report.F(rounds.Max(r => r.WaitMax), "0")} | " +
                    $"{Report.F(Median(rounds.Select(r => r.Jain)))} | {(maxHolders == 0 ? "-" : maxHolders.ToString(System.Globalization.CultureInfo.InvariantCulture))} | " +
                    $"{rounds.Sum(r => r.Overlaps)} | {Report.F(Median(rounds.Select(r => r.MeanHoldMs)))} |");
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static string Load()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }
}
