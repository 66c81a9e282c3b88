using System.Diagnostics;
using System.Globalization;
using Padlock.Bench.Harness;

namespace Padlock.Bench.Core;

/// <summary>
/// Several OS processes on one file lock, each a <see cref="FileProcessWorker"/>: throughput, per-process shares
/// (fairness) and the exactness of a counter file they all increment under the lock.
/// </summary>
internal static class FileProcessesCase
{
    internal static async Task RunAsync(int processes, BenchSettings settings, Report report)
    {
        var dir = Path.Combine(Path.GetTempPath(), "padlock-bench-procs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var self = typeof(FileProcessesCase).Assembly.Location;
            var seconds = settings.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            var workers = Enumerable.Range(0, processes).Select(_ => Process.Start(new ProcessStartInfo("dotnet")
            {
                ArgumentList = { self, FileProcessWorker.Flag, dir, "bench", seconds },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!).ToList();
            var counts = new List<long>();
            foreach (var w in workers)
            {
                var output = await w.StandardOutput.ReadToEndAsync();
                await w.WaitForExitAsync();
                counts.Add(long.Parse(output.Trim(), CultureInfo.InvariantCulture));
            }
            var counter = long.Parse(File.ReadAllText(Path.Combine(dir, "counter.txt")), CultureInfo.InvariantCulture);
            var total = counts.Sum();
            var jain = (double)total * total / (counts.Count * counts.Sum(c => (double)c * c));
            report.Line($"| file:// {processes} processes | {Report.F(total / settings.Duration.TotalSeconds, "N0")} acq/s | "
                + $"shares {string.Join(" / ", counts)} | Jain fairness {Report.F(jain)} | counter {counter} {(counter == total ? "exact" : "WRONG")} |");
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
