using System.Globalization;
using Padlock.Cli.Output;
using Spectre.Console;

namespace Padlock.Cli.Verify;

/// <summary>The terminal table: one row per store and fault, then the verdicts and a few overlaps in words.</summary>
internal static class VerifyTable
{
    public static void Print(Terminal t, IReadOnlyList<VerifyResult> results)
    {
        var table = t.NewTable("store", "fault", "fenced", "grants", "overlaps", "lost updates", "stale stopped", "stale accepted", "tokens repeated/back", "loss reported first", "recover", "outcome");
        foreach (var r in results)
        {
            if (r.NotRun is not null)
            {
                table.AddRow(new Text(r.Subject), new Text(r.Fault), new Text(r.Fenced ? "yes" : "no"), new Text("-"), new Text("-"), new Text("-"), new Text("-"), new Text("-"), new Text("-"), new Text("-"), new Text("-"), new Markup("[yellow]not run[/]"));
                continue;
            }
            var colour = r.Outcome switch { "safe" => "green", "safe with fencing" => "yellow", _ => "red" };
            table.AddRow(
                new Text(r.Subject), new Text(r.Fault), new Text(r.Fenced ? "yes" : "no"),
                new Text(N(r.Grants)), new Text(N(r.Overlaps)), new Text(N(r.LostUpdates)), new Text(N(r.StaleStopped)), new Text(N(r.StaleWritesAccepted)),
                new Text($"{N(r.TokensRepeated)}/{N(r.TokensBackwards)}"),
                new Text(r.Overlaps == 0 ? "-" : $"{N(r.OverlapsLossNotifiedFirst)}/{N(r.Overlaps)}"),
                new Text(r.RecoverMaxMs is { } ms ? $"{(ms / 1000).ToString("0.00", CultureInfo.InvariantCulture)} s" : "-"),
                new Markup($"[{colour}]{Markup.Escape(r.Outcome)}[/]"));
        }
        t.Out.Write(table);
        foreach (var r in results)
        {
            t.Text($"{r.Subject} / {r.Fault}{(r.Fenced ? " / fenced" : "")}: {r.Verdict}");
            foreach (var o in r.OverlapSamples.Take(3))
                t.Text($"  overlap: client {o.EarlierClient} (token {o.EarlierToken}) still held when client {o.LaterClient} (token {o.LaterToken}) was granted at {Ms(o.FromMs)}, until {Ms(o.ToMs)}; loss reported to client {o.EarlierClient} first: {(o.LossNotifiedFirst ? "yes" : "no")}");
            foreach (var f in r.Faults.Take(3))
                t.Text($"  {f.Kind} {f.Target} at {Ms(f.AtMs)} for {Ms(f.EndMs - f.AtMs)}: next grant to another client after {(f.RecoverMs is { } rec ? Ms(rec) : "never")}; hit hold {(f.HitToken is { } tok ? $"token {tok}, loss reported after {(f.LossNotifiedAfterMs is { } l ? Ms(l) : "never")}" : "none")}");
            if (r.NotRun is null) t.Text($"  longest time the lock stayed free while clients waited: {Ms(r.LongestIdleMs)}");
            if (r.AcquireFailures > 0) t.Text($"  {N(r.AcquireFailures)} acquire failures, first: {r.FirstAcquireFailure}");
        }
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => $"{ms.ToString("0", CultureInfo.InvariantCulture)} ms";
}
