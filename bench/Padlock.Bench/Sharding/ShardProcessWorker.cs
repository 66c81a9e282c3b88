using System.Diagnostics;
using System.Globalization;

namespace Padlock.Bench.Sharding;

/// <summary>
/// One OS process of the sharding benchmark: <c>Padlock.Bench --shard-worker DIRECTORY-URI NAMES WORKERS SECONDS START</c>.
/// WORKERS tasks acquire and release random names of NAMES through a provider following the map in DIRECTORY-URI, for
/// SECONDS after the monotonic timestamp START (Stopwatch ticks, the same clock in every process on Linux). Prints
/// "bucket I COUNT P99MS" per 250 ms from START, then "total COUNT P50MS P99MS ERRORS".
/// </summary>
internal static class ShardProcessWorker
{
    internal const string Flag = "--shard-worker";
    internal static readonly TimeSpan Bucket = TimeSpan.FromMilliseconds(250);

    internal static async Task<int> RunAsync(string[] args)
    {
        var directory = args[0];
        var names = int.Parse(args[1], CultureInfo.InvariantCulture);
        var workers = int.Parse(args[2], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
        var start = long.Parse(args[4], CultureInfo.InvariantCulture);
        var end = start + (long)(seconds * Stopwatch.Frequency);
        // "list:" URIs joined by '|' is a static sharded list, "plain:" one store: the baselines without a directory.
        await using var provider = directory.StartsWith("list:", StringComparison.Ordinal) ? LockProvider.CreateSharded(directory[5..].Split('|'))
            : directory.StartsWith("plain:", StringComparison.Ordinal) ? LockProvider.Create(directory[6..])
            : LockProvider.CreateSharded(directory);
        // Register and read the map before the clock starts, as a running service would have.
        await (await provider.CreateLock("warm-up").AcquireAsync(TimeSpan.FromSeconds(30))).DisposeAsync();
        var buckets = (int)Math.Ceiling(seconds / Bucket.TotalSeconds);
        var samples = Enumerable.Range(0, workers).Select(_ => new List<(int Bucket, double Ms)>(1 << 16)).ToArray();
        long errors = 0;
        while (Stopwatch.GetTimestamp() < start) await Task.Delay(1);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(Environment.ProcessId * 31 + w);
            var mine = samples[w];
            while (Stopwatch.GetTimestamp() < end)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await using var h = await provider.CreateLock($"n-{random.Next(names)}").AcquireAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }
                var t1 = Stopwatch.GetTimestamp();
                var bucket = (int)((t1 - start) / (Bucket.TotalSeconds * Stopwatch.Frequency));
                if (bucket < buckets) mine.Add((bucket, (t1 - t0) * 1000.0 / Stopwatch.Frequency));
            }
        })));
        var all = samples.SelectMany(s => s).ToArray();
        foreach (var group in all.GroupBy(s => s.Bucket).OrderBy(g => g.Key))
        {
            var ms = group.Select(s => s.Ms).Order().ToArray();
            Console.WriteLine(FormattableString.Invariant($"bucket {group.Key} {ms.Length} {ms[(int)(0.99 * (ms.Length - 1))]:0.00}"));
        }
        var sorted = all.Select(s => s.Ms).Order().ToArray();
        Console.WriteLine(FormattableString.Invariant(
            $"total {sorted.Length} {(sorted.Length > 0 ? sorted[sorted.Length / 2] : 0):0.00} {(sorted.Length > 0 ? sorted[(int)(0.99 * (sorted.Length - 1))] : 0):0.00} {errors}"));
        return 0;
    }
}
