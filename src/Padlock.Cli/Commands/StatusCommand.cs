using System.CommandLine;
using System.Globalization;
using Padlock.Cli.Common;
using Padlock.Cli.Output;
using Padlock.Cli.Status;
using Spectre.Console;

namespace Padlock.Cli.Commands;

/// <summary><c>padlock status NAME --store URI [--json]</c>: who holds a lock, since when, its token, lease and waiters.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The lock name." };
        var store = new Option<string>("--store", "-s") { Description = "Store URI (default: the file store in $TMPDIR/padlock).", DefaultValueFactory = _ => LockProvider.DefaultUri };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var semaphore = new Option<int?>("--semaphore") { Description = "Read the semaphore of N permits of that name instead: its permit holders and waiters where the store can tell, else probed (free or full)." };
        var rw = new Option<bool>("--rw") { Description = "Read the reader-writer lock of that name instead: its readers, writer and waiters (with their modes) where the store can tell, else probed (free, read-held or write-held)." };
        var election = new Option<bool>("--election") { Description = "Read the election of that name instead: the leader's value and term, and the candidates in line where the store can tell." };
        var command = new Command("status", "Show who holds a lock, since when, its fencing token, the lease left and the waiters, where the store can tell; or a semaphore, reader-writer lock or election. Exit code 0 when free (no leader), 1 when held (led, full).")
        {
            name, store, json, semaphore, rw, election,
        };
        command.SetAction(async (parse, _) =>
        {
            var uri = parse.GetValue(store)!;
            StoreOpener.Validate(uri);
            var target = Target(parse.GetValue(semaphore), parse.GetValue(rw), parse.GetValue(election));
            var report = await StatusReader.ReadAsync(Args.LockName(parse.GetValue(name)), uri, target, context.Interrupted);
            if (parse.GetValue(json)) Console.WriteLine(Json.Serialize(report));
            else Print(context.Terminal, report);
            return report.State is "free" or "no leader" ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static StatusTarget Target(int? semaphore, bool rw, bool election)
    {
        if ((semaphore is null ? 0 : 1) + (rw ? 1 : 0) + (election ? 1 : 0) > 1)
            throw new UsageException("give at most one of --semaphore, --rw and --election");
        if (semaphore is { } permits) return new(StatusKind.Semaphore, Args.Positive(permits, "--semaphore", Padlock.Stores.SemaphoreLimits.MaxCount));
        if (rw) return new(StatusKind.ReaderWriter);
        return election ? new(StatusKind.Election) : new(StatusKind.Lock);
    }

    private static void Print(Terminal t, LockReport r)
    {
        var election = r.Primitive == "election";
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string k, string? v) { if (v is not null) grid.AddRow(new Text(k), new Text(v)); }
        Row(r.Primitive switch { "election" => "election", "semaphore" => "semaphore", "rw" => "reader-writer lock", _ => "name" }, r.Name);
        Row("store", r.Store);
        Row("state", r.State);
        if (r.Permits is { } permits && r.Holders is { } held) Row("permits held", $"{held.Count} of {permits}");
        Row(election ? "leader" : "holder", r.Owner);
        Row("since", r.Since?.ToString("u", CultureInfo.InvariantCulture));
        Row(election ? "term" : "fencing token", r.FencingToken?.ToString(CultureInfo.InvariantCulture));
        Row("lease left", r.LeaseRemainingSeconds is { } s ? Durations.Format(TimeSpan.FromSeconds(s)) : null);
        Row("waiters", r.Waiters is null ? null : r.Waiters.Count == 0 ? "none" : string.Join(", ", r.Waiters));
        if (r.Holders is not null && r.Waiting is null) Row("waiters", "not known to this store");
        if (r.Source == "probe") Row("note", "found with a zero-timeout try (released at once); holders and waiters are not shown");
        t.Out.Write(grid);
        if (r.Holders is { } holders) PrintEntries(t, holders, r.Waiting ?? [], election);
    }

    // One row per holder, then per waiter in line order; a column only when some entry has a value for it.
    private static void PrintEntries(Terminal t, IReadOnlyList<EntryReport> holders, IReadOnlyList<EntryReport> waiting, bool election)
    {
        var rows = holders.Select(e => (Role: election ? "leader" : "holds", Entry: e))
            .Concat(waiting.Select((e, i) => (Role: "waits #" + (i + 1).ToString(CultureInfo.InvariantCulture), Entry: e))).ToList();
        if (rows.Count == 0) return;
        var columns = new List<(string Title, Func<EntryReport, string?> Cell)>
        {
            ("owner", e => e.Owner),
            ("mode", e => e.Mode),
            ("value", e => e.Value),
            (election ? "term" : "token", e => e.FencingToken?.ToString(CultureInfo.InvariantCulture)),
            ("since", e => e.Since?.ToString("u", CultureInfo.InvariantCulture)),
            ("lease left", e => e.LeaseRemainingSeconds is { } s ? Durations.Format(TimeSpan.FromSeconds(s)) : null),
        };
        columns.RemoveAll(c => rows.All(r => c.Cell(r.Entry) is null));
        var table = t.NewTable(["", .. columns.Select(c => c.Title)]);
        foreach (var (role, entry) in rows) table.AddRow([new Text(role), .. columns.Select(c => new Text(c.Cell(entry) ?? "-"))]);
        t.Out.Write(table);
    }
}
