using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Padlock.Bench.Processes;

/// <summary>
/// The body of one lock worker process, whatever the store: the plan's callers acquire and release its names (a
/// random one each time), first for the warm-up on their own (connections, scripts, JIT), then the process prints
/// "ready", reads the start time (Stopwatch ticks: one monotonic clock for every process on Linux) from stdin and runs
/// again from the start for the window. The process is idle between "ready" and the start and after it prints its
/// result, so the suite can read the server's counters then, exactly around the run. Under each grant it sets the
/// name's overlap flag and runs the critical section. Prints one <see cref="WorkerResult"/> JSON line, then returns
/// when stdin closes.
/// </summary>
internal static class LockLoop
{
    /// <summary>How long callers still blocked in an acquire after the end are waited for before the process gives up on them.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs <paramref name="plan"/> with <paramref name="acquire"/> (waits as long as needed) and, under each grant,
    /// <paramref name="criticalSection"/> (given the caller's index; null for none); disposes <paramref name="owner"/>
    /// at the end unless callers were left blocked.
    /// </summary>
    public static async Task<int> RunAsync(WorkerPlan plan, Func<string, ValueTask<IAsyncDisposable>> acquire, Func<int, Task>? criticalSection, IAsyncDisposable owner)
    {
        var (names, callers) = (plan.Names, plan.Callers);
        using var flags = new OverlapFlags(plan.FlagsFile, names);
        var grants = new long[callers];
        var waits = Enumerable.Range(0, callers).Select(_ => new WaitHistogram()).ToArray();
        long all = 0, overlaps = 0, errors = 0, inside = 0;
        var abandoned = 0;
        string? lastError = null;
        var longestHold = 0.0;

        var now = Stopwatch.GetTimestamp();
        var finished = await RunCallersAsync(now, now + (long)(plan.WarmupSeconds * Stopwatch.Frequency));
        var warmupGrants = Interlocked.Exchange(ref all, 0);
        Array.Clear(grants);
        foreach (var w in waits) w.Clear();
        lock (waits) longestHold = 0;
        Console.WriteLine("ready");
        var start = long.Parse(Console.ReadLine() ?? throw new InvalidOperationException("stdin closed before the start time"), CultureInfo.InvariantCulture);
        if (finished) finished = await RunCallersAsync(start, start + (long)(plan.Seconds * Stopwatch.Frequency));

        var merged = new WaitHistogram();
        foreach (var w in waits) merged.Merge(w);
        Console.WriteLine(JsonSerializer.Serialize(new WorkerResult(Environment.ProcessId, grants, merged, warmupGrants, Interlocked.Read(ref all), overlaps, errors, lastError, !finished, longestHold)));
        await Console.In.ReadToEndAsync(); // the suite reads the server's counters (and this process's sockets) before closing stdin
        if (finished) await owner.DisposeAsync();
        return 0;

        // Callers acquire from start until end. False when some were still blocked in an acquire after the grace period.
        async Task<bool> RunCallersAsync(long from, long until)
        {
            while (Stopwatch.GetTimestamp() < from) await Task.Delay(1);
            var done = Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() => CallerAsync(c, from, until))));
            while (Stopwatch.GetTimestamp() < until) await Task.Delay(50);
            if (await Task.WhenAny(done, Task.Delay(Grace)) == done) return true;
            Interlocked.Exchange(ref abandoned, 1); // a full fence: the read of 'inside' below cannot move before it
            while (Volatile.Read(ref inside) > 0) await Task.Delay(1);
            return false;
        }

        async Task CallerAsync(int c, long from, long until)
        {
            var random = new Random(HashCode.Combine(Environment.ProcessId, c, from));
            while (Stopwatch.GetTimestamp() < until)
            {
                var index = names == 1 ? 0 : random.Next(names);
                var t0 = Stopwatch.GetTimestamp();
                IAsyncDisposable handle;
                try
                {
                    handle = await acquire(plan.Prefix + index.ToString(CultureInfo.InvariantCulture));
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref errors);
                    lastError = ex.GetType().Name + ": " + ex.Message;
                    continue;
                }
                var t1 = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref inside);
                try
                {
                    // Past the grace period the process reports without this caller: it must not touch the counter then.
                    if (Volatile.Read(ref abandoned) == 1) return;
                    if (!flags.Enter(index)) Interlocked.Increment(ref overlaps);
                    if (criticalSection is not null) await criticalSection(c);
                    if (!flags.Exit(index)) Interlocked.Increment(ref overlaps);
                    Interlocked.Increment(ref all);
                    if (t1 < until)
                    {
                        grants[c]++;
                        waits[c].Add((t1 - t0) * 1000.0 / Stopwatch.Frequency);
                        var held = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
                        lock (waits) longestHold = Math.Max(longestHold, held);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref inside);
                    try
                    {
                        await handle.DisposeAsync();
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref errors);
                        lastError = "release: " + ex.GetType().Name + ": " + ex.Message;
                    }
                }
            }
        }
    }
}
