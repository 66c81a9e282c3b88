using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Padlock.Bench.Redis;
using StackExchange.Redis;

namespace Padlock.Bench.RedisProcesses;

/// <summary>
/// One OS process of the redis-procs suite:
/// <c>Padlock.Bench --redis-lock-worker CONTENDER ENDPOINT PREFIX NAMES CALLERS WARMUP-SECONDS SECONDS FLAGS-FILE COUNTER-KEY</c>.
/// CALLERS tasks acquire and release names PREFIX0..PREFIX(NAMES-1) (a random one each time): first for WARMUP-SECONDS
/// on its own (connections, scripts, JIT), then it prints "ready", reads the start time (Stopwatch ticks: one monotonic
/// clock for every process on Linux) from stdin and runs again from the start for SECONDS. The process is idle between
/// "ready" and the start and after it prints its result, so the suite can read the server's counters then, exactly
/// around the run. Under each grant it sets the name's overlap flag and, when COUNTER-KEY is not "-", increments that
/// counter by GET then SET. Prints one <see cref="WorkerResult"/> JSON line, then exits when stdin closes.
/// </summary>
internal static class LockWorker
{
    internal const string Flag = "--redis-lock-worker";

    /// <summary>How long callers still blocked in an acquire after the end are waited for before the process gives up on them.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    internal static async Task<int> RunAsync(string[] args)
    {
        var (kind, endpoint, prefix) = (args[0], args[1], args[2]);
        var names = int.Parse(args[3], CultureInfo.InvariantCulture);
        var callers = int.Parse(args[4], CultureInfo.InvariantCulture);
        var warmup = double.Parse(args[5], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[6], CultureInfo.InvariantCulture);
        using var flags = new OverlapFlags(args[7], names);
        var counterKey = args[8] == "-" ? null : args[8];

        var contender = kind switch
        {
            "padlock" => Contender.Padlock(endpoint, out _),
            "padlock-strict" => Contender.Padlock(endpoint, "?slice=0ms", "Padlock redis://?slice=0ms", out _),
            "dl" => await Contender.DistributedLockAsync(endpoint),
            "redlock" => await Contender.RedLockNetAsync(endpoint),
            _ => throw new ArgumentException($"Unknown contender '{kind}'; allowed: padlock, padlock-strict, dl, redlock.", nameof(args)),
        };
        // The counter has its own connection in every case, so that the critical section costs the same for every
        // contender; none without a counter, so that the server's cost per grant is only the lock's.
        var work = counterKey is null ? null : (await ConnectionMultiplexer.ConnectAsync(endpoint)).GetDatabase();
        var grants = new long[callers];
        var waits = Enumerable.Range(0, callers).Select(_ => new WaitHistogram()).ToArray();
        long all = 0, overlaps = 0, errors = 0, inside = 0;
        var abandoned = 0;
        string? lastError = null;

        var now = Stopwatch.GetTimestamp();
        var finished = await RunCallersAsync(now, now + (long)(warmup * Stopwatch.Frequency));
        var warmupGrants = Interlocked.Exchange(ref all, 0);
        Array.Clear(grants);
        foreach (var w in waits) w.Buckets.Clear();
        Console.WriteLine("ready");
        var start = long.Parse(Console.ReadLine() ?? throw new InvalidOperationException("stdin closed before the start time"), CultureInfo.InvariantCulture);
        if (finished) finished = await RunCallersAsync(start, start + (long)(seconds * Stopwatch.Frequency));

        var merged = new WaitHistogram();
        foreach (var w in waits) merged.Merge(w);
        Console.WriteLine(JsonSerializer.Serialize(new WorkerResult(Environment.ProcessId, grants, merged, warmupGrants, Interlocked.Read(ref all), overlaps, errors, lastError, !finished)));
        await Console.In.ReadToEndAsync(); // the suite reads the server's counters (and this process's sockets) before closing stdin
        if (finished) await contender.DisposeAsync();
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
                    handle = await contender.AcquireAsync(prefix + index.ToString(CultureInfo.InvariantCulture));
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
                    if (work is not null)
                    {
                        var value = (long)await work.StringGetAsync(counterKey);
                        await work.StringSetAsync(counterKey, value + 1);
                    }
                    if (!flags.Exit(index)) Interlocked.Increment(ref overlaps);
                    Interlocked.Increment(ref all);
                    if (t1 < until)
                    {
                        grants[c]++;
                        waits[c].Add((t1 - t0) * 1000.0 / Stopwatch.Frequency);
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
