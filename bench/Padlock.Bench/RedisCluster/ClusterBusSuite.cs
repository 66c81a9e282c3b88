using System.Diagnostics;
using System.Globalization;
using Padlock.Bench.Harness;
using Padlock.LocalServers;

namespace Padlock.Bench.RedisCluster;

/// <summary>
/// What Padlock's wake-ups cost a Redis Cluster's bus: on a local 3-master cluster (no replicas), contended runs of
/// stores in this process (each its own connection, as separate processes would have), counting the pub/sub messages
/// the nodes exchanged over the cluster bus (CLUSTER INFO's publish and publishshard counters, sent and received,
/// summed over the nodes) per grant. A classic PUBLISH is broadcast to every node; a sharded one stays in its shard.
/// </summary>
public sealed class ClusterBusSuite : IBenchSuite
{
    /// <inheritdoc/>
    public string Name => "redis-cluster-bus";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var cluster = await RedisClusterServers.StartAsync();
        report.Line($"A local 3-master Redis Cluster ({cluster.Endpoints}, no replicas); stores in one process, each with its own connection; acquire+release, no hold.\n");
        report.Line("| case | grants | grants/s | bus pub/sub messages | per grant |");
        report.Line("|---|---:|---:|---:|---:|");
        foreach (var (label, stores, names) in new[] { ("2 stores x 1 caller, one name", 2, 1), ("8 stores x 1 caller, one name", 8, 1), ("32 stores x 1 caller, 256 names", 32, 256) })
        {
            var (grants, seconds, messages) = await RunAsync(cluster, stores, names, settings);
            report.Line($"| {label} | {grants} | {Report.F(grants / seconds, "0")} | {messages} | {Report.F((double)messages / grants, "0.00")} |");
        }
    }

    private static async Task<(long Grants, double Seconds, long Messages)> RunAsync(RedisClusterServers cluster, int storeCount, int names, BenchSettings settings)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var providers = Enumerable.Range(0, storeCount).Select(_ => LockProvider.Create($"redis://{cluster.Endpoints}?lease=10s")).ToArray();
        try
        {
            long grants = 0;
            var measuring = false;
            using var stop = new CancellationTokenSource();
            var workers = providers.Select((p, i) => Task.Run(async () =>
            {
                var random = new Random(i);
                while (!stop.IsCancellationRequested)
                {
                    await using (await p.CreateLock($"bus-{run}-{random.Next(names)}").AcquireAsync(TimeSpan.FromSeconds(60)))
                    {
                        if (Volatile.Read(ref measuring)) Interlocked.Increment(ref grants);
                    }
                }
            })).ToArray();
            await Task.Delay(settings.Warmup);
            var before = await BusMessagesAsync(cluster);
            var started = Stopwatch.GetTimestamp();
            Volatile.Write(ref measuring, true);
            await Task.Delay(settings.Duration);
            Volatile.Write(ref measuring, false);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var counted = Interlocked.Read(ref grants);
            var after = await BusMessagesAsync(cluster);
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            return (counted, seconds, after - before);
        }
        finally
        {
            foreach (var p in providers) await p.DisposeAsync();
        }
    }

    private static async Task<long> BusMessagesAsync(RedisClusterServers cluster)
    {
        long total = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var n in cluster.Nodes)
        {
            foreach (var line in (await RedisProbe.SendAsync(n.Port, "CLUSTER INFO", cts.Token)).Split('\n'))
            {
                var parts = line.Trim().Split(':');
                if (parts.Length == 2 && parts[0].StartsWith("cluster_stats_messages_publish", StringComparison.Ordinal))
                    total += long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }
        return total;
    }
}
