using System.Diagnostics;
using Padlock.Bench.Harness;

namespace Padlock.Bench.RedisPrimitives;

/// <summary>What one side did on the reader-writer lock.</summary>
internal sealed record ReaderWriterResult(string Label, double OpsPerSecond, long Reads, long Writes, double WaitP50, double WaitP99,
    double ReadWaitP99, double WriteWaitP99, double LongestWriterWaitMs, double LongestReadBatchMs, double Jain, long Violations, double WaitMax = double.NaN);

/// <summary>
/// Workers take the lock for reading (with the given probability) or writing, hold it for a precise time, release,
/// again. The process tracks who holds it: a read batch runs from the first reader in to the last reader out, and a
/// writer alongside anyone else is a violation.
/// </summary>
internal static class ReaderWriterRun
{
    public static async Task<ReaderWriterResult> RunAsync(PrimitiveSide side, int workers, double readShare, TimeSpan hold, BenchSettings settings)
    {
        var gate = new object();
        int readers = 0, writers = 0;
        long batchStart = 0, violations = 0;
        double longestBatch = 0;
        var recording = false;
        List<double>[]? readWaits = null, writeWaits = null;
        var random = Enumerable.Range(0, workers).Select(w => new Random(1000 + w)).ToArray();
        async Task Iteration(int w)
        {
            var write = random[w].NextDouble() >= readShare;
            var start = Stopwatch.GetTimestamp();
            var handle = await side.ReaderWriterAsync(w, write);
            var granted = Stopwatch.GetTimestamp();
            lock (gate)
            {
                if (write && (readers > 0 || writers > 0) || !write && writers > 0) violations++;
                if (write) writers++;
                else if (readers++ == 0) batchStart = granted;
            }
            PreciseHold.Wait(hold);
            lock (gate)
            {
                if (write) writers--;
                else if (--readers == 0 && recording)
                    longestBatch = Math.Max(longestBatch, Stopwatch.GetElapsedTime(batchStart).TotalMilliseconds);
            }
            await handle.DisposeAsync();
            (write ? writeWaits : readWaits)?[w].Add(Stopwatch.GetElapsedTime(start, granted).TotalMilliseconds);
        }
        await WorkerLoop.RunAsync(workers, settings.Warmup, Iteration);
        readWaits = Enumerable.Range(0, workers).Select(_ => new List<double>()).ToArray();
        writeWaits = Enumerable.Range(0, workers).Select(_ => new List<double>()).ToArray();
        lock (gate) { recording = true; violations = 0; }
        var sw = Stopwatch.StartNew();
        await WorkerLoop.RunAsync(workers, settings.Duration, Iteration);
        var elapsed = sw.Elapsed;
        var reads = readWaits.SelectMany(x => x).Order().ToArray();
        var writes = writeWaits.SelectMany(x => x).Order().ToArray();
        var all = reads.Concat(writes).Order().ToArray();
        var perWorker = Enumerable.Range(0, workers).Select(w => (long)(readWaits[w].Count + writeWaits[w].Count)).ToArray();
        return new ReaderWriterResult($"{side.Label} reader-writer x{workers}", all.Length / elapsed.TotalSeconds, reads.Length, writes.Length,
            WorkerLoop.Quantile(all, 0.50), WorkerLoop.Quantile(all, 0.99), WorkerLoop.Quantile(reads, 0.99), WorkerLoop.Quantile(writes, 0.99),
            writes.Length == 0 ? double.NaN : writes[^1], longestBatch, WorkerLoop.Jain(perWorker), violations,
            all.Length == 0 ? double.NaN : all[^1]);
    }
}
