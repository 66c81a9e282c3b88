using System.Globalization;
using Padlock.Cli.Output;
using Spectre.Console;

namespace Padlock.Cli.Bench;

/// <summary>Prints the results: one column per store so stores measured on the same workload sit side by side.</summary>
internal static class BenchTable
{
    public static void Print(Terminal t, IReadOnlyList<BenchResult> results)
    {
        var table = t.NewTable(["", .. results.Select(r => r.Store)]);
        void Row(string label, Func<BenchResult, string> value)
            => table.AddRow([new Text(label), .. results.Select(r => (Spectre.Console.Rendering.IRenderable)new Markup(r.Error is null ? value(r) : "-"))]);
        Row("primitive", r => Markup.Escape(r.Primitive));
        Row("acquisitions", r => r.Acquisitions.ToString("N0", CultureInfo.InvariantCulture));
        Row("acquisitions/s", r => F(r.PerSecond, "N0"));
        Row("latency p50 ms", r => F(r.LatencyMs?.P50));
        Row("latency p90 ms", r => F(r.LatencyMs?.P90));
        Row("latency p99 ms", r => F(r.LatencyMs?.P99));
        Row("latency max ms", r => F(r.LatencyMs?.Max));
        Row("mean wait ms", r => F(r.MeanWaitMs));
        Row("time waiting", r => F(r.WaitShare * 100, "0.0") + " %");
        Row("fairness (Jain)", r => F(r.Fairness, "0.000"));
        Row("per-worker share", r => string.Join(" ", r.PerWorker.Select(c => F(r.Acquisitions == 0 ? 0 : 100.0 * c / r.Acquisitions, "0") + "%")));
        Row("failures", r => r.Failures == 0 ? "0" : $"[red]{r.Failures}[/]");
        Row("losses", r => r.Losses == 0 ? "0" : $"[red]{r.Losses}[/]");
        Row("overlaps", r => r.Overlaps == 0 ? "0" : $"[red]{r.Overlaps}[/]");
        Row("counter check", r => r.Counter is null ? "off (--counter)" : r.Counter.Ok ? $"[green]ok[/] {r.Counter.Actual} ({r.Counter.Where})" : $"[red]WRONG[/] {r.Counter.Actual} of {r.Counter.Expected}");
        t.Out.Write(table);
        foreach (var r in results.Where(r => r.Error is not null)) t.Text($"{r.Store}: {r.Error}");
        foreach (var r in results.Where(r => r.FirstFailure is not null)) t.Text($"{r.Store}: first failure: {Markup.Escape(r.FirstFailure!)}");
    }

    private static string F(double? v, string format = "0.000")
        => v is null || double.IsNaN(v.Value) ? "-" : v.Value.ToString(format, CultureInfo.InvariantCulture);
}
