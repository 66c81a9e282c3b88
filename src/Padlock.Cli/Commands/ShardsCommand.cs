using System.CommandLine;
using Padlock.Cli.Common;
using Padlock.Cli.Output;
using Padlock.Cli.Shards;

namespace Padlock.Cli.Commands;

/// <summary>
/// <c>padlock shards show|plan|apply|status --directory URI</c>: the shard map a directory (<c>zk://</c> or
/// <c>etcd://</c>) keeps for <c>LockProvider.CreateSharded(directoryUri)</c>, and changing it online (issue 17).
/// </summary>
internal static class ShardsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("shards", "Show, plan and change the shard map kept in a directory store (zk:// or etcd://) that sharded clients follow, and see which epoch each client runs.");
        command.Add(Show(context));
        command.Add(Plan(context));
        command.Add(ShardsApply.Create(context));
        command.Add(Status(context));
        return command;
    }

    internal static Option<string> DirectoryOption(Command c)
    {
        var directory = new Option<string>("--directory", "-d") { Description = "The directory store keeping the map: zk://HOST:PORT/ROOT or etcd://HOST:PORT/PREFIX.", Required = true };
        c.Add(directory);
        return directory;
    }

    internal static Option<bool> JsonOption(Command c)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        c.Add(json);
        return json;
    }

    private static Command Show(CliContext context)
    {
        var c = new Command("show", "Show the map (epoch, stable or moving, each table's shards) and the shard each NAME lives on (during a move, also the one it moves to).");
        var directory = DirectoryOption(c);
        var json = JsonOption(c);
        var names = new Argument<string[]>("NAME") { Description = "Lock names to place.", Arity = ArgumentArity.ZeroOrMore };
        c.Add(names);
        c.SetAction(async (p, _) =>
        {
            var uri = p.GetValue(directory)!;
            var given = (p.GetValue(names) ?? []).Select(Args.LockName).ToList();
            await using var admin = ShardsDirectory.Open(uri);
            var map = await ShardsDirectory.ReadAsync(uri, () => admin.ReadMapAsync(context.Interrupted).AsTask());
            var report = ShardPlanning.Show(admin.DirectoryDescription, map, given);
            if (p.GetValue(json)) Console.WriteLine(Json.Serialize(report));
            else ShardsPrinter.Show(context.Terminal, report);
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Plan(CliContext context)
    {
        var c = new Command("plan", "Show what making ID=STORE-URI... the shard set would move: of N sample names (name-0 .. name-N-1), or of the NAMEs given, how many move and to which shard. Writes nothing.");
        var directory = DirectoryOption(c);
        var json = JsonOption(c);
        var count = new Option<int?>("--names", "-n") { Description = "How many sample names to place (default 10000)." };
        c.Add(count);
        var args = new Argument<string[]>("SHARD-OR-NAME") { Description = "The whole new shard set as ID=STORE-URI, then optionally lock names to place instead of samples.", Arity = ArgumentArity.ZeroOrMore };
        c.Add(args);
        c.SetAction(async (p, _) =>
        {
            var uri = p.GetValue(directory)!;
            var all = p.GetValue(args) ?? [];
            var shards = ShardArgs.Parse([.. all.Where(ShardArgs.LooksLikeShard)]);
            var given = all.Where(a => !ShardArgs.LooksLikeShard(a)).Select(Args.LockName).ToList();
            if (given.Count > 0 && p.GetValue(count) is not null)
                throw new UsageException("give either --names N or lock names, not both");
            IReadOnlyList<string> names = given.Count > 0 ? given : [.. ShardPlanning.SampleNames(Args.Positive(p.GetValue(count) ?? 10_000, "--names", 10_000_000))];
            await using var admin = ShardsDirectory.Open(uri);
            var map = await ShardsDirectory.ReadAsync(uri, () => admin.ReadMapAsync(context.Interrupted).AsTask());
            var report = ShardPlanning.Plan(admin.DirectoryDescription, map, shards, names, listMoves: given.Count > 0);
            if (p.GetValue(json)) Console.WriteLine(Json.Serialize(report));
            else ShardsPrinter.Plan(context.Terminal, report, map);
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Status(CliContext context)
    {
        var c = new Command("status", "List the clients following the map: each one's owner, the oldest epoch it may still grant or hold under, and whether that lags the map.");
        var directory = DirectoryOption(c);
        var json = JsonOption(c);
        c.SetAction(async (p, _) =>
        {
            var uri = p.GetValue(directory)!;
            await using var admin = ShardsDirectory.Open(uri);
            var map = await ShardsDirectory.ReadAsync(uri, () => admin.ReadMapAsync(context.Interrupted).AsTask());
            var clients = await ShardsDirectory.ReadAsync(uri, () => admin.ReadClientsAsync(context.Interrupted).AsTask());
            var report = new ShardsStatusReport(admin.DirectoryDescription, map?.Epoch, map?.IsMoving ?? false,
                [.. clients.OrderBy(x => x.ClientId, StringComparer.Ordinal).Select(x => new ShardClient(x.ClientId, x.Owner, x.Epoch, map is not null && x.Epoch < map.Epoch))]);
            if (p.GetValue(json)) Console.WriteLine(Json.Serialize(report));
            else ShardsPrinter.Status(context.Terminal, report);
            return ExitCodes.Ok;
        });
        return c;
    }
}
