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
        var command = new Command("status", "Show who holds a lock, since when, its fencing token, the lease left and the waiters, where the store can tell. Exit code 0 when free, 1 when held.")
        {
            name, store, json,
        };
        command.SetAction(async (parse, _) =>
        {
            var uri = parse.GetValue(store)!;
            StoreOpener.Validate(uri);
            var report = await StatusReader.ReadAsync(Args.LockName(parse.GetValue(name)), uri, context.Interrupted);
            if (parse.GetValue(json)) Console.WriteLine(Json.Serialize(report));
            else Print(context.Terminal, report);
            return report.State == "free" ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static void Print(Terminal t, LockReport r)
    {
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string k, string? v) { if (v is not null) grid.AddRow(new Text(k), new Text(v)); }
        Row("lock", r.Name);
        Row("store", r.Store);
        Row("state", r.State);
        Row("holder", r.Owner);
        Row("since", r.Since?.ToString("u", CultureInfo.InvariantCulture));
        Row("fencing token", r.FencingToken?.ToString(CultureInfo.InvariantCulture));
        Row("lease left", r.LeaseRemainingSeconds is { } s ? Durations.Format(TimeSpan.FromSeconds(s)) : null);
        Row("waiters", r.Waiters is null ? null : r.Waiters.Count == 0 ? "none" : string.Join(", ", r.Waiters));
        if (r.Source == "probe") Row("note", "this store cannot tell who holds a lock; state found with a try-lock");
        t.Out.Write(grid);
    }
}
