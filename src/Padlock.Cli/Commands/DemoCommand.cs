using System.CommandLine;
using System.Globalization;
using Padlock.Cli.Common;
using Padlock.Cli.Demo;
using Padlock.Cli.Output;
using Padlock.Cli.Servers;
using Spectre.Console;

namespace Padlock.Cli.Commands;

/// <summary><c>padlock demo [--store URI ...] [--local-servers]</c>: the chapter's experiments, runnable.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var stores = new Option<string[]>("--store", "-s") { Description = "A store to race OS processes on (repeatable). Default: file:// in a temporary directory.", AllowMultipleArgumentsPerToken = false };
        var localServers = new Option<bool>("--local-servers") { Description = "Start Redis, ZooKeeper and etcd on loopback for the run (those installed) and stop them after." };
        var processes = new Option<int>("--processes", "-p") { Description = "Worker processes (and threads) per experiment.", DefaultValueFactory = _ => 4 };
        var increments = new Option<int>("--increments", "-i") { Description = "Increments per worker.", DefaultValueFactory = _ => 250 };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("demo", "The chapter, runnable: a counter raced without a lock (wrong total), with an in-process lock, with try-lock, then across OS processes for each store.")
        {
            stores, localServers, processes, increments, json,
        };
        command.SetAction(async (p, _) =>
        {
            var uris = (p.GetValue(stores) ?? []).ToList();
            await StoreOpener.CheckAllAsync(uris);
            var n = Args.Positive(p.GetValue(processes), "--processes", 64);
            var k = Args.Positive(p.GetValue(increments), "--increments", 1_000_000);
            var work = Path.Combine(Path.GetTempPath(), "padlock-demo", Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(work);
            var servers = p.GetValue(localServers) ? new ServerLauncher(new ServerState(Path.Combine(work, "servers"))) : null;
            var started = new List<ServerGroup>();
            try
            {
                if (uris.Count == 0) uris.Add($"file://{Path.Combine(work, "locks")}");
                if (servers is not null) uris.AddRange(await StartServersAsync(context, servers, started));
                var results = await RunExperimentsAsync(context, uris, n, k, work, p.GetValue(json));
                if (p.GetValue(json)) Console.WriteLine(Json.Serialize(results));
                else Print(context.Terminal, results, p.GetValue(stores) is { Length: > 0 } || servers is not null);
                // The unlocked runs are meant to be wrong; a wrong total under a lock is a failure.
                return results.Any(r => r.Locked && r.Error is null && !r.Correct) ? ExitCodes.Failed : ExitCodes.Ok;
            }
            finally
            {
                if (servers is not null) await servers.StopAsync([.. started.SelectMany(g => g.Servers)]);
                try { Directory.Delete(work, recursive: true); } catch (IOException) { }
            }
        });
        return command;
    }

    private static async Task<List<string>> StartServersAsync(CliContext context, ServerLauncher servers, List<ServerGroup> started)
    {
        var uris = new List<string>();
        foreach (var kind in ServerKind.All)
        {
            try
            {
                var group = await servers.StartAsync(kind, 1, context.Interrupted);
                started.Add(group);
                uris.Add(group.Uris[0]);
            }
            catch (InvalidOperationException ex)
            {
                Terminal.Error($"skipping {kind.Name}: {ex.Message}");
            }
        }
        return uris;
    }

    private static async Task<List<DemoResult>> RunExperimentsAsync(CliContext context, List<string> uris, int n, int k, string work, bool quiet)
    {
        void Say(string text) { if (!quiet) context.Terminal.Text(text); }
        var results = new List<DemoResult>();
        Say($"1. {n} threads each add 1 to a shared counter {k} times: read, pause, write.");
        results.Add(await InProcessRace.RunAsync(n, k, null));
        await using (var mem = LockProvider.Create("mem://"))
        {
            Say("2. The same with an in-process lock around read-pause-write.");
            results.Add(await InProcessRace.RunAsync(n, k, mem));
            Say($"3. {n} workers want the same job at once and each tries the lock once without waiting.");
            results.Add(await TryLockRound.RunAsync(n, mem));
        }
        Say($"4. {n} OS processes share a counter file: first with no lock, then with each store's lock.");
        results.Add(await ProcessRace.RunAsync(null, n, k, work, context.Interrupted));
        foreach (var uri in uris)
        {
            if (!StoreOpener.IsCrossProcess(uri))
            {
                results.Add(new DemoResult("processes, lock", uri, (long)n * k, null, 0, true, Error: "mem:// locks one process only; it cannot exclude other processes"));
                continue;
            }
            results.Add(await ProcessRace.RunAsync(uri, n, k, work, context.Interrupted));
        }
        return results;
    }

    private static void Print(Terminal t, List<DemoResult> results, bool storesGiven)
    {
        var table = t.NewTable("experiment", "store", "expected", "total", "result", "time");
        foreach (var r in results)
        {
            var verdict = r.Error is not null ? "[yellow]not run[/]"
                : r.Correct && !r.Locked ? "[yellow]exact this time, by luck[/]"
                : r.Correct ? "[green]exact[/]"
                : r.Locked ? "[red]WRONG[/]" : $"[red]lost {r.Expected - r.Total} updates[/]";
            table.AddRow(
                new Text(r.Experiment), new Text(r.Store), new Text(r.Expected.ToString(CultureInfo.InvariantCulture)),
                new Text(r.Total?.ToString(CultureInfo.InvariantCulture) ?? "-"), new Markup(verdict),
                new Text(r.Error is null ? $"{r.Seconds.ToString("0.000", CultureInfo.InvariantCulture)} s" : "-"));
        }
        t.Out.Write(table);
        foreach (var r in results.Where(r => r.Detail is not null)) t.Text($"{r.Experiment}: {r.Detail}");
        foreach (var r in results.Where(r => r.Error is not null)) t.Text($"{r.Store}: {r.Error}");
        if (!storesGiven)
            t.Text("Add a distributed store with --store redis://HOST:6379, --store zk://HOST:2181, --store etcd://HOST:2379, or --local-servers to start them here.");
    }
}
