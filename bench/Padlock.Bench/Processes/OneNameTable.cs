using Padlock.Bench.Harness;

namespace Padlock.Bench.Processes;

/// <summary>
/// The table of the multi-process suites' one-name case: processes each with a few callers on one lock name, a
/// counter in the store incremented under the lock, rates against a bound measured in the same run.
/// </summary>
internal static class OneNameTable
{
    /// <summary>Writes the table's header; <paramref name="bound"/> names the bound the rates are divided by.</summary>
    public static void Header(Report report, string bound)
    {
        report.Line($"| contender | processes x callers | grants/s | vs {bound} | wait p50 ms | p99 ms | max ms | longest hold ms | Jain (processes) | Jain (callers) | grants per process | counter exact | overlaps | errors |");
        report.Line("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|");
    }

    /// <summary>Writes one row: <paramref name="counter"/> is the counter's value after the run, <paramref name="bound"/> in grants/s.</summary>
    public static void Row(Report report, string label, int processes, int callers, ProcessRun run, long counter, double bound, BenchSettings settings)
    {
        var perProcess = run.PerProcess;
        var rate = perProcess.Sum() / settings.Duration.TotalSeconds;
        var all = run.AllGrants;
        report.Line($"| {label} | {processes} x {callers} | {Report.F(rate, "0")} | {Report.F(rate / bound, "0.00")}x | {Report.F(run.Waits.Quantile(0.5))} | "
                    + $"{Report.F(run.Waits.Quantile(0.99))} | {Report.F(run.Waits.MaxMs, "0.0")} | {Report.F(run.Results.Max(r => r.LongestHoldMs), "0.0")} | {Report.F(WorkerResult.Jain(perProcess))} | "
                    + $"{Report.F(WorkerResult.Jain(run.Results.SelectMany(r => r.Grants)))} | {string.Join(" ", perProcess)} | "
                    + $"{(counter == all ? "yes" : "**NO**")} ({counter}/{all}) | {run.Overlaps} | {run.Errors} |");
    }

    /// <summary>The load average over 1, 5 and 15 minutes.</summary>
    public static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The footnote that explains Jain and overlaps.</summary>
    public static string Legend =>
        "Jain = (Σx)² / (n·Σx²) over grant counts in the window (1 = even). "
        + "Overlaps = failed compare-and-swaps of a per-name in-critical-section flag in a file all processes map (must be 0).";
}
