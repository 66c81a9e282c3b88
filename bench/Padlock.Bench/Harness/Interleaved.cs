using System.Diagnostics;

namespace Padlock.Bench.Harness;

/// <summary>
/// Measures several operations in alternating rounds rather than one after the other, so that what drifts during a run
/// (the machine's other load, the server's memory, CPU frequency) falls on every case alike: on this machine two
/// back-to-back runs of the same case differ by up to 30 %, more than the differences being measured.
/// </summary>
public static class Interleaved
{
    /// <summary>
    /// Warms every case up for the settings' warm-up, then runs <paramref name="rounds"/> rounds, each giving every
    /// case an equal slice of the settings' duration, in forward order in even rounds and reverse order in odd ones.
    /// </summary>
    /// <returns>One result per case, in the order given, over all its slices.</returns>
    public static async Task<Stats[]> RunAsync(IReadOnlyList<(string Label, Func<int, ValueTask> Op)> cases, int workers, BenchSettings settings, int rounds = 10)
    {
        foreach (var (_, op) in cases) await Measure.RunForAsync(workers, settings.Warmup, op, null);
        var recorders = cases.Select(_ => Enumerable.Range(0, workers).Select(_ => new List<double>(1 << 14)).ToArray()).ToArray();
        var elapsed = new TimeSpan[cases.Count];
        var slice = settings.Duration / rounds;
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < cases.Count; i++)
            {
                var c = round % 2 == 0 ? i : cases.Count - 1 - i;
                var sw = Stopwatch.StartNew();
                await Measure.RunForAsync(workers, slice, cases[c].Op, recorders[c]);
                elapsed[c] += sw.Elapsed;
            }
        }
        return [.. cases.Select((c, i) => Stats.From(c.Label, elapsed[i], recorders[i]))];
    }
}
