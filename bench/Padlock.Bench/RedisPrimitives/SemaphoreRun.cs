using System.Diagnostics;
using Padlock.Bench.Harness;

namespace Padlock.Bench.RedisPrimitives;

/// <summary>What one side did on the semaphore: grants, waits, shares, holds, and whether the permit count held.</summary>
internal sealed record SemaphoreResult(string Label, double GrantsPerSecond, double WaitP50, double WaitP99, double WaitMax,
    double Jain, IReadOnlyList<long> PerWorker, int MaxHolders, long Overlaps, double MeanHoldMs);

/// <summary>
/// Workers take a permit, hold it for a precise time, give it back, again. Each grant's wait is recorded; the holders
/// are counted in the process (Interlocked) to check that no more than the permits are ever held at once.
/// </summary>
internal static class SemaphoreRun
{
    public static async Task<SemaphoreResult> RunAsync(PrimitiveSide side, int workers, int permits, TimeSpan hold, BenchSettings settings)
    {
        var holders = 0;
        var maxHolders = 0;
        long overlaps = 0;
        List<double>[]? waits = null;
        List<double>[]? holds = null;
        async Task Iteration(int w)
        {
            var start = Stopwatch.GetTimestamp();
            var handle = await side.SemaphoreAsync(w);
            var granted = Stopwatch.GetTimestamp();
            var now = Interlocked.Increment(ref holders);
            if (now > permits) Interlocked.Increment(ref overlaps);
            int seen;
            while (now > (seen = Volatile.Read(ref maxHolders)) && Interlocked.CompareExchange(ref maxHolders, now, seen) != seen) { }
            PreciseHold.Wait(hold);
            var held = Stopwatch.GetElapsedTime(granted).TotalMilliseconds;
            // Counted out before the release reaches the store, so a successor can never be counted with us.
            Interlocked.Decrement(ref holders);
            await handle.DisposeAsync();
            waits?[w].Add(Stopwatch.GetElapsedTime(start, granted).TotalMilliseconds);
            holds?[w].Add(held);
        }
        await WorkerLoop.RunAsync(workers, settings.Warmup, Iteration);
        waits = Enumerable.Range(0, workers).Select(_ => new List<double>()).ToArray();
        holds = Enumerable.Range(0, workers).Select(_ => new List<double>()).ToArray();
        var sw = Stopwatch.StartNew();
        await WorkerLoop.RunAsync(workers, settings.Duration, Iteration);
        var elapsed = sw.Elapsed;
        var all = waits.SelectMany(x => x).Order().ToArray();
        var perWorker = waits.Select(x => (long)x.Count).ToArray();
        return new SemaphoreResult($"{side.Label} semaphore({permits}) x{workers}", all.Length / elapsed.TotalSeconds,
            WorkerLoop.Quantile(all, 0.50), WorkerLoop.Quantile(all, 0.99), all.Length == 0 ? double.NaN : all[^1],
            WorkerLoop.Jain(perWorker), perWorker, maxHolders, overlaps, holds.SelectMany(x => x).DefaultIfEmpty(double.NaN).Average());
    }
}
