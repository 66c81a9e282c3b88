namespace Padlock.Bench.Processes;

/// <summary>
/// Wait times in log-spaced buckets (2 % wide, from 1 µs), so that processes can send every wait they saw in a short
/// JSON line and the suite can merge them into percentiles accurate to 2 %; the maximum is kept exactly.
/// </summary>
internal sealed class WaitHistogram
{
    private const double Ratio = 1.02;
    private static readonly double LogRatio = Math.Log(Ratio);

    /// <summary>Bucket index → count.</summary>
    public Dictionary<int, long> Buckets { get; init; } = [];

    /// <summary>The longest wait, milliseconds.</summary>
    public double MaxMs { get; set; }

    /// <summary>How many waits were added.</summary>
    public long Count => Buckets.Values.Sum();

    /// <summary>Adds one wait of <paramref name="ms"/> milliseconds.</summary>
    public void Add(double ms)
    {
        var index = (int)Math.Floor(Math.Log(Math.Max(ms * 1000, 1)) / LogRatio);
        Buckets[index] = Buckets.GetValueOrDefault(index) + 1;
        MaxMs = Math.Max(MaxMs, ms);
    }

    /// <summary>Forgets every wait, the maximum included (the warm-up's waits must not count in the window).</summary>
    public void Clear()
    {
        Buckets.Clear();
        MaxMs = 0;
    }

    /// <summary>Adds every wait of <paramref name="other"/>.</summary>
    public void Merge(WaitHistogram other)
    {
        foreach (var (index, count) in other.Buckets) Buckets[index] = Buckets.GetValueOrDefault(index) + count;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
    }

    /// <summary>The <paramref name="q"/> quantile in milliseconds (bucket middle), NaN when empty.</summary>
    public double Quantile(double q)
    {
        var total = Count;
        if (total == 0) return double.NaN;
        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        foreach (var (index, count) in Buckets.OrderBy(b => b.Key))
        {
            seen += count;
            if (seen >= rank) return Math.Min(MaxMs, Math.Pow(Ratio, index + 0.5) / 1000);
        }
        return MaxMs;
    }
}
