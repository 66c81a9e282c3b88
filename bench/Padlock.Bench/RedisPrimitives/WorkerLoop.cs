using System.Diagnostics;

namespace Padlock.Bench.RedisPrimitives;

/// <summary>Runs one iteration after another on each of several workers until a deadline.</summary>
internal static class WorkerLoop
{
    public static Task RunAsync(int workers, TimeSpan duration, Func<int, Task> iteration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end) await iteration(w);
        })));
    }

    /// <summary>Jain's fairness index over per-worker counts: 1 = equal shares, 1/n = one worker took everything.</summary>
    public static double Jain(IReadOnlyList<long> counts)
    {
        double sum = counts.Sum(), squares = counts.Sum(c => (double)c * c);
        return squares == 0 ? double.NaN : sum * sum / (counts.Count * squares);
    }

    /// <summary>The <paramref name="q"/> quantile of <paramref name="sorted"/> (ascending), NaN when empty.</summary>
    public static double Quantile(double[] sorted, double q)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
