namespace Padlock.Cli.Bench;

/// <summary>Turns raw samples into the figures of a <see cref="BenchResult"/>.</summary>
internal static class Figures
{
    public static Percentiles? Latency(double[] sortedMs)
    {
        if (sortedMs.Length == 0) return null;
        double P(double q) => sortedMs[Math.Min(sortedMs.Length - 1, (int)Math.Ceiling(q * sortedMs.Length) - 1)];
        return new Percentiles(P(0.50), P(0.90), P(0.99), sortedMs[^1], sortedMs.Average());
    }

    /// <summary>Jain's index (Σx)² / (n·Σx²).</summary>
    public static double Jain(IReadOnlyList<long> perWorker)
    {
        double sum = perWorker.Sum(), squares = perWorker.Sum(x => (double)x * x);
        return squares == 0 ? double.NaN : sum * sum / (perWorker.Count * squares);
    }

    /// <summary>Four buckets per decade from 10 µs to 100 s; the last bucket takes everything above.</summary>
    public static (double[] Upper, double[] Share) Histogram(double[] ms)
    {
        var upper = Enumerable.Range(0, 29).Select(i => 0.01 * Math.Pow(10, (i + 1) / 4.0)).ToArray();
        var counts = new double[upper.Length];
        foreach (var v in ms)
        {
            var i = Array.BinarySearch(upper, v);
            i = i < 0 ? ~i : i;
            counts[Math.Min(i, upper.Length - 1)]++;
        }
        // Drop the empty buckets above the slowest acquisition (keeping one) so the chart spans the data.
        var used = Math.Min(upper.Length, Array.FindLastIndex(counts, c => c > 0) + 2);
        used = Math.Max(used, 2);
        return (upper[..used], counts[..used].Select(c => ms.Length == 0 ? 0 : c / ms.Length).ToArray());
    }

    public static double[] Timeline(List<double>[] acquiredAtSeconds, double seconds, double slice)
    {
        var slices = Math.Max(1, (int)Math.Ceiling(seconds / slice));
        var counts = new double[slices];
        foreach (var list in acquiredAtSeconds)
            foreach (var t in list) counts[Math.Min(slices - 1, (int)(t / slice))]++;
        // The last slice is usually partial: divide by the time it really covers, so the line does not dip at the end.
        var last = seconds - (slices - 1) * slice;
        return counts.Select((c, i) => c / (i == slices - 1 && last > slice / 10 ? last : slice)).ToArray();
    }
}
