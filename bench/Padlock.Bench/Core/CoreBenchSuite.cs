using Padlock.Bench.Harness;

namespace Padlock.Bench.Core;

/// <summary>
/// The embedded stores against their physical limits: mem:// against a bare SemaphoreSlim, file:// against opening
/// and closing a locked file (what an OS file lock costs at least), uncontended and with 8 workers on one lock.
/// </summary>
public sealed class CoreBenchSuite : IBenchSuite
{
    /// <inheritdoc/>
    public string Name => "core";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        var dir = Path.Combine(Path.GetTempPath(), "padlock-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var semaphore = new SemaphoreSlim(1, 1);
            await using var mem = LockProvider.Create("mem://");
            await using var file = LockProvider.Create("file://" + dir);
            var memLock = mem.CreateLock("bench");
            var fileLock = file.CreateLock("bench");
            var raw = Path.Combine(dir, "raw.lock");

            report.Line("Uncontended acquire+release, one worker:");
            var semaphoreStats = await Measure.RunAsync("SemaphoreSlim (limit)", 1, settings, async _ => { await semaphore.WaitAsync(); semaphore.Release(); });
            var memStats = await Measure.RunAsync("mem://", 1, settings, async _ => { await using var h = await memLock.AcquireAsync(); });
            var rawStats = await Measure.RunAsync("open+flock+close (limit)", 1, settings, _ =>
            {
                using var f = new FileStream(raw, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 0);
                return ValueTask.CompletedTask;
            });
            var fileStats = await Measure.RunAsync("file://", 1, settings, async _ => { await using var h = await fileLock.AcquireAsync(); });
            report.Table([semaphoreStats, memStats], semaphoreStats);
            report.Line("");
            report.Table([rawStats, fileStats], rawStats);

            report.Line("\n8 workers on one lock (latency = wait + hold):");
            var memContended = await Measure.RunAsync("mem:// x8", 8, settings, async _ => { await using var h = await memLock.AcquireAsync(); await Task.Yield(); });
            var fileContended = await Measure.RunAsync("file:// x8", 8, settings, async _ => { await using var h = await fileLock.AcquireAsync(); await Task.Yield(); });
            report.Table([memContended, fileContended]);

            report.Line("\nSeparate OS processes on one file lock, each incrementing a shared counter file under it:");
            await FileProcessesCase.RunAsync(4, settings, report);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
