using System.Globalization;
using Padlock.Cli.Output;
using Padlock.Sharding;
using Spectre.Console;

namespace Padlock.Cli.Shards;

/// <summary>The text forms of <c>padlock shards show|plan|status</c>.</summary>
internal static class ShardsPrinter
{
    public static void Show(Terminal t, ShardsMapReport r)
    {
        if (!r.Exists)
        {
            t.Text($"directory {r.Directory}: no shard map yet (write the first with 'padlock shards apply --directory URI ID=STORE-URI...')");
            return;
        }
        t.Text($"directory {r.Directory}");
        t.Text($"epoch {r.Epoch} ({r.State})");
        var tables = t.NewTable("table epoch", "role", "shard", "store");
        foreach (var table in r.Tables!)
        {
            foreach (var s in table.Shards)
                tables.AddRow(Cell(table.Epoch.ToString(CultureInfo.InvariantCulture)), Cell(table.Role), Cell(s.Id), Cell(s.Uri));
        }
        t.Out.Write(tables);
        if (r.Names is not { Count: > 0 } names) return;
        var placed = t.NewTable("name", "shard", "moving to");
        foreach (var n in names) placed.AddRow(Cell(n.Name), Cell(n.Shard), Cell(n.MovingTo ?? "-"));
        t.Out.Write(placed);
    }

    public static void Plan(Terminal t, ShardsPlanReport r, ShardMap? map)
    {
        t.Text($"directory {r.Directory}: {(map is null ? "no map yet: this would write the first map, so nothing moves" : $"epoch {map.Epoch} ({(map.IsMoving ? "moving" : "stable")}) with {map.Target.Ids.Count} shard{(map.Target.Ids.Count == 1 ? "" : "s")}")}");
        if (map is { IsMoving: true })
            t.Text("a change is halfway: this compares with the shards it moves to; apply refuses until it is finished (--finish) or aborted (--abort)");
        if (map is not null)
        {
            t.Text($"moving: {r.Moving} of {r.Names} names ({Percent(r.MovingFraction)}); expected {Percent(r.ExpectedFraction ?? 0)}"
                + (r.ExpectedFraction is { } e && e > 0 ? $" (1/{1 / e:0.##})" : ""));
        }
        var rows = t.NewTable("shard", "store", "new", "names", "moving in");
        foreach (var s in r.Shards)
            rows.AddRow(Cell(s.Id), Cell(s.Uri), Cell(s.New ? "yes" : "no"), Cell(Count(s.Names)), Cell(Count(s.MovingIn)));
        t.Out.Write(rows);
        if (r.Moves is not { Count: > 0 } moves) return;
        var moved = t.NewTable("name", "from", "to");
        foreach (var m in moves) moved.AddRow(Cell(m.Name), Cell(m.From), Cell(m.To));
        t.Out.Write(moved);
    }

    public static void Status(Terminal t, ShardsStatusReport r)
    {
        t.Text($"directory {r.Directory}: {(r.MapEpoch is { } e ? $"map epoch {e} ({(r.Moving ? "moving" : "stable")})" : "no map yet")}; {r.Clients.Count} client{(r.Clients.Count == 1 ? "" : "s")} registered");
        if (r.Clients.Count == 0) return;
        var rows = t.NewTable("client", "owner", "epoch", "state");
        foreach (var c in r.Clients)
            rows.AddRow(Cell(c.Id), Cell(c.Owner), Cell(c.Epoch == 0 ? "0 (has not read the map)" : Count(c.Epoch)), Cell(c.Lags ? "lags" : "current"));
        t.Out.Write(rows);
    }

    private static Text Cell(string s) => new(s);

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double f) => (f * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
