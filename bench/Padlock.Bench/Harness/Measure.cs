using System.Diagnostics;

namespace Padlock.Bench.Harness;

/// <summary>Runs an operation for a time and records each call's latency.</summary>
public static class Measure
{
    /// <summary>Calls <paramref name="op"/> back to back from <paramref name="workers"/> concurrent workers.</summary>
    /// <returns>Throughput and latency over the measured period (after the warm-up).</returns>
    public static async Task<Stats> RunAsync(string label, int workers, BenchSettings settings, Func<int, ValueTask> op)
    {
        await RunForAsync(workers, settings.Warmup, op, null);
        var recorders = Enumerable.Range(0, workers).Select(_ => new List<double>(1 << 16)).ToArray();
        var sw = Stopwatch.StartNew();
        await RunForAsync(workers, settings.Duration, op, recorders);
        return Stats.From(label, sw.Elapsed, recorders);
    }

    /// <summary>Calls <paramref name="op"/> back to back from <paramref name="workers"/> workers for <paramref name="duration"/>, recording latencies when given recorders.</summary>
    internal static async Task RunForAsync(int workers, TimeSpan duration, Func<int, ValueTask> op, List<double>[]? recorders)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                await op(w);
                recorders?[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
    }
}

/// <summary>Throughput, latency percentiles in milliseconds, and each worker's share of the operations.</summary>
public sealed record Stats(string Label, double OpsPerSecond, double P50, double P90, double P99, double Max, long Count, IReadOnlyList<long> PerWorker)
{
    /// <summary>Builds the figures from per-worker latency samples.</summary>
    public static Stats From(string label, TimeSpan elapsed, IReadOnlyList<List<double>> perWorker)
    {
        var all = perWorker.SelectMany(x => x).ToArray();
        Array.Sort(all);
        double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        return new Stats(label, all.Length / elapsed.TotalSeconds, P(0.50), P(0.90), P(0.99), all.Length == 0 ? double.NaN : all[^1], all.Length,
            perWorker.Select(w => (long)w.Count).ToArray());
    }

    /// <summary>Smallest worker share divided by the largest (1 = perfectly even).</summary>
    public double Fairness => PerWorker.Count == 0 || PerWorker.Max() == 0 ? double.NaN : (double)PerWorker.Min() / PerWorker.Max();
}
