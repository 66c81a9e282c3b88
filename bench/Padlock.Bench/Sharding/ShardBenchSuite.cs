using System.Diagnostics;
using System.Globalization;
using Padlock.Bench.Harness;
using Padlock.LocalServers;
using Padlock.Sharding;

namespace Padlock.Bench.Sharding;

/// <summary>
/// How far directory-mapped sharding scales on one host, and what a change costs while it runs. K single-member etcd
/// servers are the shards (K = 1, 2, 4) and one more is the directory; two client processes of 8 workers each take
/// random names of 1,000. Then, with 2 shards, a third is added mid-run: throughput and latency per 250 ms bucket.
/// </summary>
public sealed class ShardBenchSuite : IBenchSuite
{
    private const int Names = 1000;
    private const int Processes = 2;
    private const int Workers = 8;

    /// <inheritdoc/>
    public string Name => "shards";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var directoryServer = await EtcdServer.StartAsync();
        var shards = new List<EtcdServer>();
        try
        {
            for (var i = 0; i < 4; i++) shards.Add(await EtcdServer.StartAsync());
            report.Line($"{shards.Count} single-member etcd shards and one etcd directory on this host; {Processes} client processes x {Workers} workers, acquire+release of random names of {Names:N0}, no hold.");
            report.Line("\n| shards | acquire+release/s | vs plain | p50 ms | p99 ms | errors |");
            report.Line("|---:|---:|---:|---:|---:|---:|");
            double? one = null;
            foreach (var (label, uri) in new[] { ("1, one plain etcd:// provider (no sharding)", "plain:" + Table(shards, 1)["a"]), ("2, a static list (no directory)", "list:" + string.Join('|', Table(shards, 2).Values)) })
            {
                var (rate, p50, p99, errors, _) = await RunProcessesAsync(uri, settings.Duration, null);
                one ??= rate;
                report.Line($"| {label} | {Report.F(rate, "0")} | {Report.F(rate / one.Value, "0.00")}x | {Report.F(p50, "0.00")} | {Report.F(p99, "0.00")} | {errors} |");
            }
            foreach (var k in new[] { 1, 2, 4, 1, 2, 4 }) // directory-mapped
            {
                var directory = $"etcd://{directoryServer.Endpoint}/bench-{k}-{Guid.NewGuid():N}"[..60];
                await using (var admin = ShardMapAdmin.Open(directory)) await admin.ApplyAsync(Table(shards, k));
                var (rate, p50, p99, errors, _) = await RunProcessesAsync(directory, settings.Duration, null);
                one ??= rate;
                report.Line($"| {k} | {Report.F(rate, "0")} | {Report.F(rate / one.Value, "0.00")}x | {Report.F(p50, "0.00")} | {Report.F(p99, "0.00")} | {errors} |");
            }

            var seconds = Math.Max(6, settings.Duration.TotalSeconds * 3);
            var moveDirectory = $"etcd://{directoryServer.Endpoint}/bench-move-{Guid.NewGuid():N}"[..60];
            await using var moveAdmin = ShardMapAdmin.Open(moveDirectory);
            await moveAdmin.ApplyAsync(Table(shards, 2));
            var changeAt = TimeSpan.FromSeconds(seconds / 3);
            var changeTook = TimeSpan.Zero;
            var run = await RunProcessesAsync(moveDirectory, TimeSpan.FromSeconds(seconds), async start =>
            {
                while (Stopwatch.GetElapsedTime(start) < changeAt) await Task.Delay(10);
                var sw = Stopwatch.StartNew();
                await moveAdmin.ApplyAsync(Table(shards, 3));
                changeTook = sw.Elapsed;
            });
            report.Line($"\nAdding a third shard to two at t = {Report.F(changeAt.TotalSeconds, "0.0")} s (the change took {Report.F(changeTook.TotalSeconds, "0.00")} s: " +
                        "moving map, every client reports, 2 s expiry margin, stable map, every client reports):");
            report.Line("\n| t (s) | acquire+release/s | p99 ms | |");
            report.Line("|---:|---:|---:|---|");
            var peak = run.Buckets.Values.Max(b => b.Count);
            foreach (var (bucket, (count, p99)) in run.Buckets.OrderBy(b => b.Key))
            {
                var rate = count / ShardProcessWorker.Bucket.TotalSeconds;
                var t = bucket * ShardProcessWorker.Bucket.TotalSeconds;
                var mark = t >= changeAt.TotalSeconds && t < (changeAt + changeTook).TotalSeconds ? " (changing)" : "";
                report.Line($"| {Report.F(t, "0.00")} | {Report.F(rate, "0")} | {Report.F(p99, "0.0")} | `{new string('#', (int)Math.Round(30.0 * count / peak))}`{mark} |");
            }
        }
        finally
        {
            foreach (var s in shards) await s.DisposeAsync();
        }
    }

    private static Dictionary<string, string> Table(List<EtcdServer> shards, int k)
        => Enumerable.Range(0, k).ToDictionary(i => ((char)('a' + i)).ToString(), i => $"etcd://{shards[i].Endpoint}/locks");

    private static async Task<(double Rate, double P50, double P99, long Errors, Dictionary<int, (long Count, double P99)> Buckets)> RunProcessesAsync(
        string directory, TimeSpan duration, Func<long, Task>? during)
    {
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3; // time for the processes to start and register
        var processes = Enumerable.Range(0, Processes).Select(_ => Start(directory, duration, start)).ToArray();
        if (during is not null)
        {
            while (Stopwatch.GetTimestamp() < start) await Task.Delay(5);
            await during(start);
        }
        var outputs = await Task.WhenAll(processes.Select(async p =>
        {
            var text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0) throw new InvalidOperationException($"shard worker exited {p.ExitCode}: {await p.StandardError.ReadToEndAsync()}");
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }));
        long total = 0, errors = 0;
        var p50s = new List<double>();
        var p99s = new List<double>();
        var buckets = new Dictionary<int, (long Count, double P99)>();
        foreach (var line in outputs.SelectMany(o => o).Select(l => l.Split(' ')))
        {
            if (line[0] == "total")
            {
                total += long.Parse(line[1], CultureInfo.InvariantCulture);
                p50s.Add(double.Parse(line[2], CultureInfo.InvariantCulture));
                p99s.Add(double.Parse(line[3], CultureInfo.InvariantCulture));
                errors += long.Parse(line[4], CultureInfo.InvariantCulture);
            }
            else if (line[0] == "bucket")
            {
                var b = int.Parse(line[1], CultureInfo.InvariantCulture);
                var c = long.Parse(line[2], CultureInfo.InvariantCulture);
                var p = double.Parse(line[3], CultureInfo.InvariantCulture);
                buckets[b] = buckets.TryGetValue(b, out var had) ? (had.Count + c, Math.Max(had.P99, p)) : (c, p);
            }
        }
        return (total / duration.TotalSeconds, p50s.Average(), p99s.Max(), errors, buckets);
    }

    private static Process Start(string directory, TimeSpan duration, long start)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var self = typeof(ShardBenchSuite).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(self);
        foreach (var a in new[] { ShardProcessWorker.Flag, directory, Names.ToString(CultureInfo.InvariantCulture), Workers.ToString(CultureInfo.InvariantCulture),
                     duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), start.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }
}
