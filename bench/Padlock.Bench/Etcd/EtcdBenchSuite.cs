using System.Diagnostics;
using System.Globalization;
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
/// <remarks>
/// The machine is shared, and stalls of a few hundred milliseconds hit whichever case is running. So each case runs in
/// several short rounds, the cases alternate (A B B A ...), and the tables give medians over rounds next to the spread.
/// </remarks>
public sealed class EtcdBenchSuite : IBenchSuite
{
    private const int Workers = 8;

    /// <inheritdoc/>
    public string Name => "etcd";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await EtcdServer.StartAsync();
        var url = "http://" + server.Endpoint;
        var round = new BenchSettings(settings.Duration / 2, TimeSpan.FromMilliseconds(200));
        report.Line($"etcd {server.Endpoint} (single member, data on local disk); one client and one lease per worker; rounds of {Report.F(round.Duration.TotalSeconds, "0.0")} s, cases alternating.");

        // Uncontended: one worker, acquire and release back to back.
        using var v3Client = new EtcdClient(url);
        var v3Lease = (await v3Client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 3600 })).ID;
        var v3Name = ByteString.CopyFromUtf8("bench/v3lock-uncontended");
        Func<int, ValueTask> v3Op = async _ =>
        {
            var locked = await v3Client.LockAsync(new V3Lockpb.LockRequest { Name = v3Name, Lease = v3Lease });
            await v3Client.UnlockAsync(new V3Lockpb.UnlockRequest { Key = locked.Key });
        };
        await using var provider = LockProvider.Create($"etcd://{server.Endpoint}/bench");
        var padLock = provider.CreateLock("uncontended");
        Func<int, ValueTask> padOp = async _ =>
        {
            await using var h = await padLock.AcquireAsync();
        };
        var floorKey = ByteString.CopyFromUtf8("bench/floor/key");
        Func<int, ValueTask> floorOp = async _ =>
        {
            await v3Client.PutAsync(new PutRequest { Key = floorKey, Lease = v3Lease });
            await v3Client.DeleteAsync(new DeleteRangeRequest { Key = floorKey });
        };
        // The server's first seconds are slower for whoever comes first (its caches, the JIT here): warm all, discard.
        var warm = new BenchSettings(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500));
        foreach (var op in new[] { v3Op, padOp, floorOp }) await Measure.RunAsync("warm-up", 1, warm, op);

        var v3 = new List<Stats>();
        var pad = new List<Stats>();
        var floor = new List<Stats>();
        for (var r = 0; r < 6; r++)
        {
            var first = r % 4 is 0 or 3;
            if (first) v3.Add(await Measure.RunAsync("v3lock", 1, round, v3Op));
            pad.Add(await Measure.RunAsync("padlock", 1, round, padOp));
            if (!first) v3.Add(await Measure.RunAsync("v3lock", 1, round, v3Op));
            if (r % 2 == 1) floor.Add(await Measure.RunAsync("floor", 1, round, floorOp));
        }
        report.Line("\nUncontended acquire+release, one worker (medians over rounds):");
        report.Line("| case | rounds | ops/s (median) | ops/s (min–max) | p50 ms | p99 ms |");
        report.Line("|---|---:|---:|---:|---:|---:|");
        Row(report, "v3lock Lock+Unlock (dotnet-etcd)", v3);
        Row(report, "Padlock etcd:// AcquireAsync + DisposeAsync", pad);
        Row(report, "floor: Put with lease + Delete (dotnet-etcd)", floor);
        Ratios(report, v3.Select(s => s.OpsPerSecond), pad.Select(s => s.OpsPerSecond));
        await v3Client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = v3Lease });

        // Contended: 8 workers, each with its own client and lease, incrementing one counter in etcd under one lock.
        report.Line("\n8 workers incrementing a counter in etcd under one lock (Get + Put inside the lock):");
        await using var v3Side = await ContendedSide.StartAsync(url, "v3lock", () => V3LockWorker.CreateAsync(url));
        await using var padSide = await ContendedSide.StartAsync(url, "padlock", () => Task.FromResult<ILockWorker>(new PadlockWorker(server.Endpoint)));
        await v3Side.RunAsync(round.Warmup * 5, measure: false);
        await padSide.RunAsync(round.Warmup * 5, measure: false);
        for (var r = 0; r < 4; r++)
        {
            var sides = r % 4 is 0 or 3 ? new[] { v3Side, padSide } : [padSide, v3Side];
            foreach (var side in sides) await side.RunAsync(round.Duration, measure: true);
        }
        report.Line("| case | rounds | increments/s (median) | (min–max) | wait p50 ms | wait p99 ms | wait max ms | increments | counter in etcd | exact |");
        report.Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (side, label) in new[] { (v3Side, "v3lock x8"), (padSide, "Padlock etcd:// x8") })
        {
            var counter = await side.CounterAsync();
            var rates = side.Rates.Order().ToArray();
            report.Line($"| {label} | {rates.Length} | {Report.F(Median(rates), "0")} | {Report.F(rates[0], "0")}–{Report.F(rates[^1], "0")} | " +
                        $"{Report.F(side.Wait(0.5))} | {Report.F(side.Wait(0.99))} | {Report.F(side.Wait(1))} | {side.Increments} | {counter} | {(counter == side.Increments ? "yes" : "NO")} |");
        }
        Ratios(report, v3Side.Rates, padSide.Rates);
    }

    private static void Row(Report report, string label, List<Stats> rounds)
    {
        var ops = rounds.Select(s => s.OpsPerSecond).Order().ToArray();
        report.Line($"| {label} | {rounds.Count} | {Report.F(Median(ops), "0")} | {Report.F(ops[0], "0")}–{Report.F(ops[^1], "0")} | " +
                    $"{Report.F(Median(rounds.Select(s => s.P50)))} | {Report.F(Median(rounds.Select(s => s.P99)))} |");
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static void Ratios(Report report, IEnumerable<double> v3, IEnumerable<double> padlock)
    {
        var a = v3.ToArray();
        var b = padlock.ToArray();
        report.Line($"\nPadlock / v3lock: {Report.F(Median(b) / Median(a), "0.00")}x on medians; round by round: " +
                    string.Join(", ", a.Zip(b, (x, y) => Report.F(y / x, "0.00") + "x")));
    }

    /// <summary>One worker's way to take and give back the shared lock.</summary>
    private interface ILockWorker : IAsyncDisposable
    {
        ValueTask<IAsyncDisposable> LockAsync();
    }

    private sealed class V3LockWorker(EtcdClient client, long lease) : ILockWorker
    {
        private static readonly ByteString Name = ByteString.CopyFromUtf8("bench/v3lock-contended");

        public static async Task<ILockWorker> CreateAsync(string url)
        {
            var client = new EtcdClient(url);
            return new V3LockWorker(client, (await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 3600 })).ID);
        }

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

        private sealed class Unlocker(EtcdClient client, ByteString key) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync() => await client.UnlockAsync(new V3Lockpb.UnlockRequest { Key = key });
        }
    }

    private sealed class PadlockWorker(string endpoint) : ILockWorker
    {
        private readonly LockProvider _provider = LockProvider.Create($"etcd://{endpoint}/bench");

        public async ValueTask<IAsyncDisposable> LockAsync() => await _provider.CreateLock("contended").AcquireAsync();

        public ValueTask DisposeAsync() => _provider.DisposeAsync();
    }

    /// <summary>Eight workers of one kind and their counter; runs rounds and keeps what they measured.</summary>
    private sealed class ContendedSide : IAsyncDisposable
    {
        private readonly ILockWorker[] _lockers;
        private readonly EtcdClient[] _kv;
        private readonly string _counterKey;
        private readonly List<double>[] _waits = [.. Enumerable.Range(0, Workers).Select(_ => new List<double>(1 << 14))];
        private long _increments;

        private ContendedSide(ILockWorker[] lockers, EtcdClient[] kv, string counterKey)
        {
            _lockers = lockers;
            _kv = kv;
            _counterKey = counterKey;
        }

        public List<double> Rates { get; } = [];

        public long Increments => Interlocked.Read(ref _increments);

        public static async Task<ContendedSide> StartAsync(string url, string kind, Func<Task<ILockWorker>> create)
        {
            var lockers = await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => create()));
            var kv = Enumerable.Range(0, Workers).Select(_ => new EtcdClient(url)).ToArray();
            return new ContendedSide(lockers, kv, $"bench/counter/{kind}-{Guid.NewGuid():N}");
        }

        public async Task RunAsync(TimeSpan duration, bool measure)
        {
            var before = Increments;
            var sw = Stopwatch.StartNew();
            var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    var start = Stopwatch.GetTimestamp();
                    await using (await _lockers[w].LockAsync())
                    {
                        if (measure) _waits[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        // The race the lock prevents: read, then write back the value read plus one.
                        var got = await _kv[w].GetAsync(_counterKey);
                        var value = got.Kvs.Count == 0 ? 0 : long.Parse(got.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture);
                        await _kv[w].PutAsync(_counterKey, (value + 1).ToString(CultureInfo.InvariantCulture));
                        Interlocked.Increment(ref _increments);
                    }
                }
            })));
            if (measure) Rates.Add((Increments - before) / sw.Elapsed.TotalSeconds);
        }

        public double Wait(double q)
        {
            var all = _waits.SelectMany(x => x).Order().ToArray();
            return all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        }

        public async Task<long> CounterAsync()
        {
            var got = await _kv[0].GetAsync(_counterKey);
            return got.Kvs.Count == 0 ? 0 : long.Parse(got.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var l in _lockers) await l.DisposeAsync();
            foreach (var c in _kv) c.Dispose();
        }
    }
}
