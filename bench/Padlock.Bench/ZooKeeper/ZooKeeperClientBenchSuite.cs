using Padlock.Bench.Harness;
using Padlock.LocalServers;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.Bench.ZooKeeper;

/// <summary>
/// Padlock's ZooKeeper client against the floor: exists round trips one at a time and 64 in flight on one connection,
/// create+delete pairs, next to the same exists over a bare socket and a Redis PING on the same machine.
/// </summary>
public sealed class ZooKeeperClientBenchSuite : IBenchSuite
{
    /// <inheritdoc/>
    public string Name => "zk-client";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await ZooKeeperServer.StartAsync();
        await using var redis = await RawBaselines.StartRedisAsync();
        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = server.ConnectString });
        await client.CreateAsync("/bench", null, CreateMode.Persistent);

        // The server is a JVM: warm it first, so the first case measured does not pay for its JIT.
        await Measure.RunAsync("warm-up", 8, settings with { Duration = settings.Warmup }, async _ => await client.ExistsAsync("/bench"));

        report.Line("Round trips on one connection (ZooKeeper 3.8 standalone and Redis on loopback):");
        var rows = new List<Stats>();
        if (redis is not null) rows.Add(await Measure.RunAsync("Redis PING, bare socket (peer floor)", 1, settings, RawBaselines.RedisPing(RawBaselines.RedisPort)));
        var raw = await Measure.RunAsync("ZK exists, bare socket (floor)", 1, settings, RawBaselines.ZooKeeperExists(server.Port));
        rows.Add(raw);
        rows.Add(await Measure.RunAsync("ZK exists, Padlock client, sequential", 1, settings, async _ => await client.ExistsAsync("/bench")));
        rows.Add(await Measure.RunAsync("ZK exists, Padlock client, 64 in flight", 64, settings, async _ => await client.ExistsAsync("/bench")));
        report.Table(rows, raw);

        report.Line("\nWrites (each pair is two quorum writes; standalone server, so a local fsync each):");
        var n = 0L;
        var pairs = await Measure.RunAsync("create+delete pair, sequential", 1, settings, async _ =>
        {
            var path = "/bench/n" + Interlocked.Increment(ref n);
            await client.CreateAsync(path, null, CreateMode.Persistent);
            await client.DeleteAsync(path);
        });
        var pairs8 = await Measure.RunAsync("create+delete pair, 8 in flight", 8, settings, async _ =>
        {
            var path = "/bench/n" + Interlocked.Increment(ref n);
            await client.CreateAsync(path, null, CreateMode.Persistent);
            await client.DeleteAsync(path);
        });
        report.Table([pairs, pairs8]);
    }
}
