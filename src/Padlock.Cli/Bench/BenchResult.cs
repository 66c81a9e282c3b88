namespace Padlock.Cli.Bench;

/// <summary>The figures for one store (also the <c>--json</c> output). Times in milliseconds unless named otherwise.</summary>
internal sealed record BenchResult
{
    public required string Store { get; init; }

    /// <summary>What was measured: "lock", "semaphore (4 permits)", "reader-writer lock (90 % reads)", "election".</summary>
    public string Primitive { get; init; } = "lock";
    public string? Error { get; init; }
    public int Workers { get; init; }
    public int Locks { get; init; }
    public double HoldMs { get; init; }
    public double Seconds { get; init; }
    public long Acquisitions { get; init; }
    public double PerSecond { get; init; }
    public Percentiles? LatencyMs { get; init; }

    /// <summary>Mean time an acquire took (waiting behind other holders included).</summary>
    public double MeanWaitMs { get; init; }

    /// <summary>Share of the workers' time spent waiting to acquire, 0..1.</summary>
    public double WaitShare { get; init; }

    /// <summary>Jain's fairness index over per-worker acquisitions: 1 = even, 1/n = one worker got everything.</summary>
    public double Fairness { get; init; }

    public IReadOnlyList<long> PerWorker { get; init; } = [];
    public long Failures { get; init; }
    public string? FirstFailure { get; init; }
    public long Losses { get; init; }

    /// <summary>Acquisitions that found more holders of the name than the primitive allows (two writers, N+1 permits): must be 0.</summary>
    public long Overlaps { get; init; }
    public CounterCheck? Counter { get; init; }

    /// <summary>Acquisitions per second in consecutive slices of <see cref="TimelineSliceSeconds"/>.</summary>
    public IReadOnlyList<double> Timeline { get; init; } = [];
    public double TimelineSliceSeconds { get; init; }

    /// <summary>Latency histogram: upper bounds (ms) and the share of acquisitions in each bucket.</summary>
    public IReadOnlyList<double> HistogramUpperMs { get; init; } = [];
    public IReadOnlyList<double> HistogramShare { get; init; } = [];
}

/// <summary>Latency percentiles.</summary>
internal sealed record Percentiles(double P50, double P90, double P99, double Max, double Mean);

/// <summary>The final counter check: each acquisition added one, so the sum of the counters must equal the acquisitions.</summary>
internal sealed record CounterCheck(long Expected, long Actual, string Where)
{
    public bool Ok => Expected == Actual;
}
