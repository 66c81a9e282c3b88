using System.Globalization;
using Padlock.Bench.RedisPrimitives;

namespace Padlock.Bench.ZooKeeper;

/// <summary>
/// What one side did in one round: grants per second, waits (ms), Jain's index over the workers' grants, the most
/// holders seen at once and how often more than allowed held (for the reader-writer lock: a writer beside anyone).
/// </summary>
internal sealed record CuratorRound(double OpsPerSecond, double WaitP50, double WaitP99, double WaitMax, double Jain,
    int MaxHolders, long Overlaps, double MeanHoldMs, long Writes)
{
    /// <summary>Reads the <c>RESULT key=value ...</c> line CuratorBench.java prints.</summary>
    public static CuratorRound Parse(string line)
    {
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        double D(string key) => double.Parse(values[key], CultureInfo.InvariantCulture);
        var overlaps = values["mode"] == "rw" ? long.Parse(values["violations"], CultureInfo.InvariantCulture) : long.Parse(values["overlaps"], CultureInfo.InvariantCulture);
        return new CuratorRound(D("ops"), D("p50"), D("p99"), D("max"), D("jain"), int.Parse(values["maxHolders"], CultureInfo.InvariantCulture),
            overlaps, D("meanHold"), long.Parse(values["writes"], CultureInfo.InvariantCulture));
    }

    /// <summary>From Padlock's semaphore (or lock, run as a one-permit semaphore) round.</summary>
    public static CuratorRound From(SemaphoreResult r)
        => new(r.GrantsPerSecond, r.WaitP50, r.WaitP99, r.WaitMax, r.Jain, r.MaxHolders, r.Overlaps, r.MeanHoldMs, 0);

    /// <summary>From Padlock's reader-writer round.</summary>
    public static CuratorRound From(ReaderWriterResult r)
        => new(r.OpsPerSecond, r.WaitP50, r.WaitP99, r.WaitMax, r.Jain, 0, r.Violations, double.NaN, r.Writes);
}
