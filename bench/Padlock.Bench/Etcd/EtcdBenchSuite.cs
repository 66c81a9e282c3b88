using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Padlock.Bench.Harness;
using Padlock.LocalServers;

namespace Padlock.Bench.Etcd;

/// <summary>
/// Padlock's etcd:// store against etcd's own lock service (the v3lock gRPC API, called through dotnet-etcd's
/// Lock/Unlock) on the same single-member server in the same run, each worker with its own client and its own lease
/// for both. The floor is the two writes any lock must make on etcd (create a key bound to a lease, delete it).
/// </summary>
public sealed class EtcdBenchSuite : IBenchSuite
{
    /// <inheritdoc/>
    public string Name => "etcd";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await EtcdServer.StartAsync();
        var url = "http://" + server.Endpoint;
        report.Line($"etcd {server.Endpoint} (single member, data on local disk), one client and one lease per worker.");

        report.Line("\nUncontended acquire+release, one worker:");
        var rows = new List<Stats>();
        var repeats = 2; // alternate the cases: the machine is shared, so drift hits both
        for (var r = 0; r < repeats; r++)
        {
            rows.Add(await UncontendedV3LockAsync(url, settings, $"v3lock Lock+Unlock (dotnet-etcd) #{r + 1}"));
            rows.Add(await UncontendedPadlockAsync(server.Endpoint, settings, $"Padlock etcd:// #{r + 1}"));
        }
        rows.Add(await UncontendedFloorAsync(url, settings, "floor: Put with lease + Delete"));
        var v3 = rows.Where(s => s.Label.StartsWith("v3lock", StringComparison.Ordinal)).ToArray();
        var pad = rows.Where(s => s.Label.StartsWith("Padlock", StringComparison.Ordinal)).ToArray();
        report.Table(rows, v3[0]);
        report.Line($"\nPadlock / v3lock, pairwise: {string.Join(", ", v3.Zip(pad, (a, b) => Report.F(b.OpsPerSecond / a.OpsPerSecond, "0.00") + "x"))}");

        report.Line("\n8 workers incrementing a counter in etcd under one lock (Get + Put inside the lock):");
        var results = new List<ContendedResult>();
        for (var r = 0; r < repeats; r++)
        {
            results.Add(await ContendedAsync(url, settings, $"v3lock x8 #{r + 1}", new V3LockFactory(url)));
            results.Add(await ContendedAsync(url, settings, $"Padlock etcd:// x8 #{r + 1}", new PadlockFactory(server.Endpoint)));
        }
        report.Line("| case | increments/s | wait p50 ms | wait p99 ms | wait max ms | increments | counter in etcd | exact |");
        report.Line("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var c in results)
            report.Line($"| {c.Label} | {Report.F(c.PerSecond, "0")} | {Report.F(c.WaitP50)} | {Report.F(c.WaitP99)} | {Report.F(c.WaitMax)} | {c.Increments} | {c.Counter} | {(c.Increments == c.Counter ? "yes" : "NO")} |");
        var cv3 = results.Where(c => c.Label.StartsWith("v3lock", StringComparison.Ordinal)).ToArray();
        var cpad = results.Where(c => c.Label.StartsWith("Padlock", StringComparison.Ordinal)).ToArray();
        report.Line($"\nPadlock / v3lock, pairwise: {string.Join(", ", cv3.Zip(cpad, (a, b) => Report.F(b.PerSecond / a.PerSecond, "0.00") + "x"))}");
    }

    private static async Task<Stats> UncontendedV3LockAsync(string url, BenchSettings settings, string label)
    {
        using var client = new EtcdClient(url);
        var lease = (await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 600 })).ID;
        var name = ByteString.CopyFromUtf8("bench/v3lock-uncontended");
        var stats = await Measure.RunAsync(label, 1, settings, async _ =>
        {
            var locked = await client.LockAsync(new V3Lockpb.LockRequest { Name = name, Lease = lease });
            await client.UnlockAsync(new V3Lockpb.UnlockRequest { Key = locked.Key });
        });
        await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease });
        return stats;
    }

    private static async Task<Stats> UncontendedPadlockAsync(string endpoint, BenchSettings settings, string label)
    {
        await using var provider = LockProvider.Create($"etcd://{endpoint}/bench");
        var l = provider.CreateLock("uncontended");
        return await Measure.RunAsync(label, 1, settings, async _ =>
        {
            await using var h = await l.AcquireAsync();
        });
    }

    private static async Task<Stats> UncontendedFloorAsync(string url, BenchSettings settings, string label)
    {
        using var client = new EtcdClient(url);
        var lease = (await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 600 })).ID;
        var key = ByteString.CopyFromUtf8("bench/floor/key");
        var stats = await Measure.RunAsync(label, 1, settings, async _ =>
        {
            await client.PutAsync(new PutRequest { Key = key, Lease = lease });
            await client.DeleteAsync(new DeleteRangeRequest { Key = key });
        });
        await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease });
        return stats;
    }

    private sealed record ContendedResult(string Label, double PerSecond, double WaitP50, double WaitP99, double WaitMax, long Increments, long Counter);

    /// <summary>One worker's way to take and give back the shared lock.</summary>
    private interface ILockWorker : IAsyncDisposable
    {
        ValueTask<IAsyncDisposable> LockAsync();
    }

    private interface IWorkerFactory
    {
        Task<ILockWorker> CreateAsync();
    }

    private sealed class V3LockFactory(string url) : IWorkerFactory
    {
        public async Task<ILockWorker> CreateAsync()
        {
            var client = new EtcdClient(url);
            var lease = (await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 600 })).ID;
            return new Worker(client, lease);
        }

        private sealed class Worker(EtcdClient client, long lease) : ILockWorker
        {
            private static readonly ByteString Name = ByteString.CopyFromUtf8("bench/v3lock-contended");

            public async ValueTask<IAsyncDisposable> LockAsync()
            {
                var locked = await client.LockAsync(new V3Lockpb.LockRequest { Name = Name, Lease = lease });
                return new Unlocker(client, locked.Key);
            }

            public async ValueTask DisposeAsync()
            {
                await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease });
                client.Dispose();
            }
        }

        private sealed class Unlocker(EtcdClient client, ByteString key) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync() => await client.UnlockAsync(new V3Lockpb.UnlockRequest { Key = key });
        }
    }

    private sealed class PadlockFactory(string endpoint) : IWorkerFactory
    {
        public Task<ILockWorker> CreateAsync() => Task.FromResult<ILockWorker>(new Worker(LockProvider.Create($"etcd://{endpoint}/bench")));

        private sealed class Worker(LockProvider provider) : ILockWorker
        {
            private readonly IDistributedLock _lock = provider.CreateLock("contended");

            public async ValueTask<IAsyncDisposable> LockAsync() => await _lock.AcquireAsync();

            public ValueTask DisposeAsync() => provider.DisposeAsync();
        }
    }

    private static async Task<ContendedResult> ContendedAsync(string url, BenchSettings settings, string label, IWorkerFactory factory)
    {
        const int workers = 8;
        var counterKey = "bench/counter/" + Guid.NewGuid().ToString("N")[..8];
        var lockers = await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => factory.CreateAsync()));
        var kv = Enumerable.Range(0, workers).Select(_ => new EtcdClient(url)).ToArray();
        long increments = 0;
        var waits = Enumerable.Range(0, workers).Select(_ => new List<double>(1 << 14)).ToArray();
        var measuring = false;

        async Task RunFor(TimeSpan duration)
        {
            var end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
            {
                while (System.Diagnostics.Stopwatch.GetTimestamp() < end)
                {
                    var start = System.Diagnostics.Stopwatch.GetTimestamp();
                    await using (await lockers[w].LockAsync())
                    {
                        if (measuring) waits[w].Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        // The race the lock prevents: read, then write back the value read plus one.
                        var got = await kv[w].GetAsync(counterKey);
                        var value = got.Kvs.Count == 0 ? 0 : long.Parse(got.Kvs[0].Value.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
                        await kv[w].PutAsync(counterKey, (value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                        Interlocked.Increment(ref increments);
                    }
                }
            })));
        }

        await RunFor(settings.Warmup);
        var before = Interlocked.Read(ref increments);
        measuring = true;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await RunFor(settings.Duration);
        var elapsed = sw.Elapsed;
        var measured = Interlocked.Read(ref increments) - before;
        var final = await kv[0].GetAsync(counterKey);
        var counter = long.Parse(final.Kvs[0].Value.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var l in lockers) await l.DisposeAsync();
        foreach (var c in kv) c.Dispose();
        var all = waits.SelectMany(x => x).Order().ToArray();
        double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        return new ContendedResult(label, measured / elapsed.TotalSeconds, P(0.5), P(0.99), all.Length == 0 ? double.NaN : all[^1], Interlocked.Read(ref increments), counter);
    }
}
