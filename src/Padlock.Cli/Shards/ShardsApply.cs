using System.CommandLine;
using Padlock.Cli.Commands;
using Padlock.Cli.Common;
using Padlock.Sharding;
using Spectre.Console;

namespace Padlock.Cli.Shards;

/// <summary>
/// <c>padlock shards apply --directory URI ID=STORE-URI... | --finish | --abort</c>: runs the two-step change
/// (<see cref="ShardMapAdmin.ApplyAsync"/>) with its progress on screen. Ctrl-C stops waiting and leaves the map as last
/// written, which <c>--finish</c> or <c>--abort</c> completes later. A change refused by the map's state (one halfway,
/// another writer) exits 1 with the core's message.
/// </summary>
internal static class ShardsApply
{
    public static Command Create(CliContext context)
    {
        var c = new Command("apply", "Change the shard map to ID=STORE-URI... (the whole new set; the first map if none), step by step, waiting for every client; or --finish / --abort a change left halfway.");
        var directory = ShardsCommand.DirectoryOption(c);
        var margin = new Option<string?>("--expiry-margin") { Description = "How long to wait after every client reports the moving epoch before writing the stable map (default 2s; raise it for session timeouts or lease TTLs beyond a minute)." };
        var finish = new Option<bool>("--finish") { Description = "Complete a change left halfway (the map is moving)." };
        var abort = new Option<bool>("--abort") { Description = "Roll back a change left halfway to the shards it moved from." };
        var shards = new Argument<string[]>("SHARD") { Description = "The whole new shard set, as ID=STORE-URI.", Arity = ArgumentArity.ZeroOrMore };
        c.Add(margin);
        c.Add(finish);
        c.Add(abort);
        c.Add(shards);
        c.SetAction(async (p, _) =>
        {
            var uri = p.GetValue(directory)!;
            var given = p.GetValue(shards) ?? [];
            var (isFinish, isAbort) = (p.GetValue(finish), p.GetValue(abort));
            if (isFinish && isAbort) throw new UsageException("give --finish or --abort, not both");
            if ((isFinish || isAbort) && given.Length > 0)
                throw new UsageException($"--{(isFinish ? "finish" : "abort")} takes no shards: it completes or rolls back the change already written");
            var table = isFinish || isAbort ? null : ShardArgs.Parse(given);
            // The core's checks of the set (ids, local stores, one store twice), before anything is opened or printed.
            if (table is not null) ShardMapAdmin.Plan(null, table, []);
            TimeSpan? expiry = p.GetValue(margin) is { } m ? Args.Duration(m, "--expiry-margin") : null;
            await using var admin = ShardsDirectory.Open(uri, expiry);
            var before = await ShardsDirectory.ReadAsync(uri, () => admin.ReadMapAsync(context.Interrupted).AsTask());
            context.Terminal.Text($"directory {admin.DirectoryDescription}: {(before is null ? "no map yet" : Describe(before))}");
            try
            {
                var after = await RunAsync(context, admin, table, isFinish, isAbort);
                context.Terminal.Text(before is not null && after.Epoch == before.Epoch
                    ? $"nothing to do: {Describe(after)}"
                    : $"done: {Describe(after)}");
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (context.Interrupted.IsCancellationRequested)
            {
                await ReportInterruptedAsync(admin, uri);
                return ExitCodes.Interrupted;
            }
            catch (InvalidOperationException ex)
            {
                Output.Terminal.Error(ex.Message);
                return ExitCodes.Failed;
            }
        });
        return c;
    }

    private static async Task<ShardMap> RunAsync(CliContext context, ShardMapAdmin admin, Dictionary<string, string>? table, bool finish, bool abort)
    {
        Task<ShardMap> Change(IProgress<ShardChangeProgress> progress) =>
            finish ? admin.FinishAsync(progress, context.Interrupted)
            : abort ? admin.AbortAsync(progress, context.Interrupted)
            : admin.ApplyAsync(table!, progress, context.Interrupted);

        if (!context.Terminal.Interactive)
            return await Change(new ApplyProgressView(context.Terminal.Text, null));
        ShardMap? result = null;
        await context.Terminal.Out.Status().StartAsync(finish ? "finishing the change" : abort ? "aborting the change" : "checking the new shards",
            async live => result = await Change(new ApplyProgressView(
                l => context.Terminal.Out.WriteLine(l),
                s => live.Status(Markup.Escape(s)))));
        return result!;
    }

    /// <summary>Says where Ctrl-C left the map, read afresh (the change may have written a step just before).</summary>
    private static async Task ReportInterruptedAsync(ShardMapAdmin admin, string uri)
    {
        ShardMap? map = null;
        try
        {
            using var read = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            map = await admin.ReadMapAsync(read.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or Padlock.Stores.LockStoreUnavailableException)
        {
            // reported below as unknown
        }
        var shown = StoreOpener.Shown(uri);
        var where = map is null ? "the map could not be read back" : $"the map is left as written: {Describe(map)}";
        var next = map is { IsMoving: true }
            ? $"; a change is halfway: finish it with 'padlock shards apply --directory {shown} --finish' or roll it back with 'padlock shards apply --directory {shown} --abort'"
            : map is null ? $"; see it with 'padlock shards show --directory {shown}'" : "; nothing is halfway";
        Output.Terminal.Error($"interrupted: stopped waiting; {where}{next}");
    }

    private static string Describe(ShardMap map)
        => $"epoch {map.Epoch} ({(map.IsMoving ? "moving" : "stable")}): "
            + (map.IsMoving ? $"{Shards(map.Current)} -> {Shards(map.Target)}" : Shards(map.Target));

    private static string Shards(ShardTable t) => string.Join(", ", t.Shards.Select(s => $"{s.Key}={StoreOpener.Shown(s.Value)}"));
}
