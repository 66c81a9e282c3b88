using System.Diagnostics;
using Padlock.Cli.Bench.Counters;
using Padlock.Cli.Common;

namespace Padlock.Cli.Bench;

/// <summary>
/// Measures one store: workers acquire a random lock of <see cref="BenchOptions.Locks"/>, do the counter update,
/// hold, release, until the duration ends or the operations run out. Every acquire's latency and time are kept.
/// </summary>
internal sealed class BenchRunner(BenchOptions options, string workDir)
{
    private long _acquired;

    /// <summary>Acquisitions so far, for the progress display.</summary>
    public long Acquired => Interlocked.Read(ref _acquired);

    public async Task<BenchResult> RunAsync(string uri, CancellationToken ct)
    {
        var shared = !StoreOpener.IsCrossProcess(uri);
        var providers = new List<LockProvider>();
        var counters = new List<IBenchCounter>();
        try
        {
            try
            {
                // One provider per worker, so workers contend as separate clients; mem:// locks only within one store object.
                for (var i = 0; i < (shared ? 1 : options.Workers); i++) providers.Add(StoreOpener.Open(uri));
            }
            catch (StoreUnreachableException ex)
            {
                return new BenchResult { Store = StoreOpener.Shown(uri), Error = ex.Message };
            }
            // Network stores connect lazily: one try-lock first, so an unreachable server is one clear error in its
            // column, not thousands of failed acquisitions each waiting out the connect timeout.
            if (await ProbeAsync(uri, providers[0], ct) is { } unreachable)
                return new BenchResult { Store = StoreOpener.Shown(uri), Error = unreachable };
            var run = Guid.NewGuid().ToString("N")[..6];
            if (options.Counter)
            {
                for (var k = 0; k < options.Locks; k++) counters.Add(await BenchCounters.CreateAsync(uri, workDir, $"{run}-{k}", ct));
            }
            return await MeasureAsync(uri, run, providers, counters, ct);
        }
        finally
        {
            foreach (var c in counters) await c.DisposeAsync();
            foreach (var p in providers) await p.DisposeAsync();
        }
    }

    private static async Task<long> SumAsync(List<IBenchCounter> counters, CancellationToken ct)
    {
        long sum = 0;
        foreach (var c in counters) sum += await c.ReadAsync(ct);
        return sum;
    }

    private async Task<string?> ProbeAsync(string uri, LockProvider provider, CancellationToken ct)
    {
        try
        {
            // The probe takes the primitive measured, so a store without it (elections on file://) is one clear error.
            var probe = options.Primitive.Pick(new Random(0));
            var handle = await probe.TryAcquireAsync(provider, "padlock-bench-probe-" + Guid.NewGuid().ToString("N")[..6], TimeSpan.Zero, ct);
            if (handle is not null) await handle.DisposeAsync();
            return null;
        }
        catch (Padlock.Stores.LockStoreUnavailableException ex)
        {
            return new StoreUnreachableException(uri, ex).Message;
        }
        catch (NotSupportedException ex)
        {
            return ex.Message.Split('\n')[0];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Not "unreachable" (that is decided by type): report what it was.
            return $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
        }
    }

    private async Task<BenchResult> MeasureAsync(string uri, string run, List<LockProvider> providers, List<IBenchCounter> counters, CancellationToken ct)
    {
        var names = Enumerable.Range(0, options.Locks).Select(k => $"padlock-bench-{run}-{k}").ToArray();
        var latencies = Enumerable.Range(0, options.Workers).Select(_ => new List<double>(4096)).ToArray();
        var times = Enumerable.Range(0, options.Workers).Select(_ => new List<double>(4096)).ToArray();
        long remaining = options.Ops ?? long.MaxValue, failures = 0, losses = 0, overlaps = 0, waitTicks = 0, exclusive = 0;
        // Holders of each name now, weighted by kind (see Primitive.Weight): more than a kind's Limit is an overlap.
        var holders = new int[names.Length];
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        var end = options.Duration ?? TimeSpan.MaxValue;

        async Task Worker(int w)
        {
            var provider = providers[w % providers.Count];
            var random = new Random(w);
            while (clock.Elapsed < end && Interlocked.Decrement(ref remaining) >= 0)
            {
                ct.ThrowIfCancellationRequested();
                var k = random.Next(names.Length);
                var kind = options.Primitive.Pick(random);
                var started = Stopwatch.GetTimestamp();
                ILockHandle? handle;
                try
                {
                    handle = await kind.TryAcquireAsync(provider, names[k], options.AcquireTimeout, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, ex.Message.Split('\n')[0], null);
                    continue;
                }
                var waited = Stopwatch.GetElapsedTime(started);
                Interlocked.Add(ref waitTicks, waited.Ticks);
                if (handle is null)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, $"not granted within {Durations.Format(options.AcquireTimeout)}", null);
                    continue;
                }
                latencies[w].Add(waited.TotalMilliseconds);
                times[w].Add(clock.Elapsed.TotalSeconds);
                Interlocked.Increment(ref _acquired);
                if (Interlocked.Add(ref holders[k], kind.Weight) > kind.Limit) Interlocked.Increment(ref overlaps);
                try
                {
                    // Only an exclusive hold may write the counter; a shared one (a reader, one of N permits) reads it.
                    if (counters.Count > 0 && kind.IsExclusive)
                    {
                        await counters[k].WriteAsync(await counters[k].ReadAsync(ct) + 1, ct);
                        Interlocked.Increment(ref exclusive);
                    }
                    else if (counters.Count > 0)
                    {
                        await counters[k].ReadAsync(ct);
                    }
                    if (options.Hold > TimeSpan.Zero) PreciseHold.Wait(options.Hold);
                    if (handle.IsLost) Interlocked.Increment(ref losses);
                }
                finally
                {
                    Interlocked.Add(ref holders[k], -kind.Weight);
                    await handle.DisposeAsync();
                }
            }
        }

        if (options.Hold > TimeSpan.Zero) PreciseHold.Reserve(options.Workers);
        await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(w => Task.Run(() => Worker(w), ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var perWorker = latencies.Select(l => (long)l.Count).ToArray();
        var slice = seconds <= 10 ? 0.1 : seconds / 100;
        var (upper, share) = Figures.Histogram(all);
        return new BenchResult
        {
            Store = StoreOpener.Shown(uri),
            Primitive = options.Primitive.Kind,
            Workers = options.Workers,
            Locks = options.Locks,
            HoldMs = options.Hold.TotalMilliseconds,
            Seconds = seconds,
            Acquisitions = all.Length,
            PerSecond = all.Length / seconds,
            LatencyMs = Figures.Latency(all),
            MeanWaitMs = all.Length == 0 ? 0 : TimeSpan.FromTicks(waitTicks).TotalMilliseconds / (all.Length + failures),
            WaitShare = TimeSpan.FromTicks(waitTicks).TotalSeconds / (seconds * options.Workers),
            Fairness = Figures.Jain(perWorker),
            PerWorker = perWorker,
            Failures = failures,
            FirstFailure = firstFailure,
            Losses = losses,
            Overlaps = overlaps,
            Counter = counters.Count == 0 ? null : new CounterCheck(exclusive, await SumAsync(counters, ct), counters[0].Where),
            Timeline = Figures.Timeline(times, seconds, slice),
            TimelineSliceSeconds = slice,
            HistogramUpperMs = upper,
            HistogramShare = share,
        };
    }
}
