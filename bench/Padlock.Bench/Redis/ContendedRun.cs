using System.Diagnostics;
using Padlock.Bench.Harness;
using StackExchange.Redis;

namespace Padlock.Bench.Redis;

/// <summary>
/// The chapter's experiment: workers on one lock, each incrementing a counter kept in Redis (GET then SET) while
/// holding it. Records each acquisition's wait; the counter must end exact.
/// </summary>
internal static class ContendedRun
{
    /// <summary>The wait statistics (latency columns are waits), the final counter and how many increments were made.</summary>
    public static async Task<(Stats Waits, long Counter, long Increments)> RunAsync(Contender contender, int workers, BenchSettings settings, IDatabase work)
    {
        var name = "bench-contended-" + Guid.NewGuid().ToString("N")[..8];
        var counterKey = "bench:counter:" + name;
        await work.KeyDeleteAsync(counterKey);
        long increments = 0;
        async Task Phase(TimeSpan duration, List<double>[]? waits)
        {
            var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    var start = Stopwatch.GetTimestamp();
                    await using var h = await contender.AcquireAsync(name);
                    waits?[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    var value = (long)await work.StringGetAsync(counterKey);
                    await work.StringSetAsync(counterKey, value + 1);
                    Interlocked.Increment(ref increments);
                }
            })));
        }
        await Phase(settings.Warmup, null);
        var recorded = Enumerable.Range(0, workers).Select(_ => new List<double>()).ToArray();
        var sw = Stopwatch.StartNew();
        await Phase(settings.Duration, recorded);
        var stats = Stats.From($"{contender.Label} x{workers}", sw.Elapsed, recorded);
        var counter = (long)await work.StringGetAsync(counterKey);
        await work.KeyDeleteAsync(counterKey);
        return (stats, counter, increments);
    }
}
