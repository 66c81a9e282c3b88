using System.Diagnostics;
using System.Text;
using Padlock.Bench.Harness;
using Padlock.LocalServers;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.Bench.ZooKeeper;

/// <summary>
/// zk:// locks: uncontended acquire+release next to the store's floor (create, getChildren, delete round trips done
/// by hand on the same client), and 8 workers, each with its own session, incrementing a counter kept in a ZooKeeper
/// node under one lock.
/// </summary>
public sealed class ZooKeeperLockBenchSuite : IBenchSuite
{
    /// <inheritdoc/>
    public string Name => "zk";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await ZooKeeperServer.StartAsync();
        var uri = $"zk://{server.ConnectString}/bench";
        await using var provider = LockProvider.Create(uri);
        var uncontendedLock = provider.CreateLock("uncontended");
        await using (await uncontendedLock.AcquireAsync()) { } // session, root and parent ready
        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = server.ConnectString });
        await client.CreateAsync("/bench/floor", null, CreateMode.Persistent);

        Func<int, ValueTask> floorOp = async _ =>
        {
            var path = await client.CreateAsync("/bench/floor/e-", null, CreateMode.EphemeralSequential);
            await client.GetChildrenAsync("/bench/floor");
            await client.DeleteAsync(path);
        };
        Func<int, ValueTask> lockOp = async _ =>
        {
            await using var h = await uncontendedLock.AcquireAsync();
        };
        // The server is a JVM: warm it on both workloads first, so neither case pays for its JIT.
        var warm = settings with { Duration = settings.Warmup };
        await Measure.RunAsync("warm-up", 1, warm, floorOp);
        await Measure.RunAsync("warm-up", 1, warm, lockOp);

        report.Line("Uncontended acquire+release, one worker:");
        var floor = await Measure.RunAsync("create + getChildren + delete, one after another (floor)", 1, settings, floorOp);
        var zk = await Measure.RunAsync("zk:// acquire+release", 1, settings, lockOp);
        report.Table([floor, zk], floor);

        report.Line("\n8 workers (8 sessions) incrementing a counter node (getData, setData) under one lock; latency = wait for the lock:");
        await client.CreateAsync("/bench/counter", Encoding.ASCII.GetBytes("0"), CreateMode.Persistent);
        var providers = Enumerable.Range(0, 8).Select(_ => LockProvider.Create(uri)).ToArray();
        var workers = new List<ZooKeeperClient>();
        foreach (var _ in providers) workers.Add(await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = server.ConnectString }));
        var waits = Enumerable.Range(0, 8).Select(_ => new List<double>()).ToArray();
        long increments = 0;
        var sw = Stopwatch.StartNew();
        var end = Stopwatch.GetTimestamp() + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var l = providers[w].CreateLock("counter");
            var c = workers[w];
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                await using var h = await l.AcquireAsync(TimeSpan.FromSeconds(60));
                waits[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                var (data, _) = await c.GetDataAsync("/bench/counter");
                var value = long.Parse(Encoding.ASCII.GetString(data), System.Globalization.CultureInfo.InvariantCulture);
                await c.SetDataAsync("/bench/counter", Encoding.ASCII.GetBytes((value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                Interlocked.Increment(ref increments);
            }
        })));
        var contended = Stats.From("zk:// x8, counter in a node", sw.Elapsed, waits);
        report.Table([contended]);
        var final = long.Parse(Encoding.ASCII.GetString((await client.GetDataAsync("/bench/counter")).Data), System.Globalization.CultureInfo.InvariantCulture);
        report.Line($"\nFinal counter {final}, increments made {increments}: {(final == increments ? "exact" : "LOST UPDATES")}.");
        foreach (var c in workers) await c.DisposeAsync();
        foreach (var p in providers) await p.DisposeAsync();
    }
}
