using System.Globalization;
using System.Text;

namespace Padlock.Bench.Harness;

/// <summary>Collects Markdown tables and prints them (and optionally appends them to a file).</summary>
public sealed class Report(string? file)
{
    private readonly StringBuilder _text = new();

    /// <summary>A heading line.</summary>
    public void Heading(string text) => Line($"\n### {text}\n");

    /// <summary>A free text line.</summary>
    public void Line(string text)
    {
        Console.WriteLine(text);
        _text.AppendLine(text);
    }

    /// <summary>A table of stats, with an optional ratio column against <paramref name="baseline"/>.</summary>
    public void Table(IEnumerable<Stats> rows, Stats? baseline = null)
    {
        Line("| case | ops/s | p50 ms | p90 ms | p99 ms | max ms | fairness (min/max share) |" + (baseline is null ? "" : " vs " + baseline.Label + " |"));
        Line("|---|---:|---:|---:|---:|---:|---:|" + (baseline is null ? "" : "---:|"));
        foreach (var s in rows)
        {
            var ratio = baseline is null ? "" : F(s.OpsPerSecond / baseline.OpsPerSecond, "0.00") + "x |";
            Line($"| {s.Label} | {F(s.OpsPerSecond, "0")} | {F(s.P50)} | {F(s.P90)} | {F(s.P99)} | {F(s.Max)} | {F(s.Fairness, "0.00")} |{(baseline is null ? "" : " " + ratio)}");
        }
    }

    /// <summary>Formats a number invariantly.</summary>
    public static string F(double v, string format = "0.000") => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Appends what was collected to the file given at construction.</summary>
    public void Save()
    {
        if (file is not null) File.AppendAllText(file, _text.ToString());
    }
}
