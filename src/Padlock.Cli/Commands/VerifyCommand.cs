using System.CommandLine;
using Padlock.Cli.Common;
using Padlock.Cli.Output;
using Padlock.Cli.Verify;

namespace Padlock.Cli.Commands;

/// <summary>
/// <c>padlock verify --store URI ... | --local-servers [KINDS] [--clients N] [--duration T] [--fault F ...] [--fenced]
/// [--hold T] [--pause T] [--json] [--report FILE.html]</c>: a safety check in the spirit of Jepsen. Client processes
/// update a register under the lock while verify injects faults; afterwards it counts overlapping holds, lost updates,
/// stale writes and tokens out of order, and gives a verdict per store and fault.
/// </summary>
internal static class VerifyCommand
{

    public static Command Create(CliContext context)
    {
        var stores = new Option<string[]>("--store", "-s") { Description = "A store to check (repeatable). Client faults (pause, kill) only, unless verify started the server." };
        var localServers = new Option<string?>("--local-servers")
        {
            Description = $"Start servers for the run and check them too, with every fault: a comma list of {string.Join(", ", LocalServer.Kinds)} (default: {string.Join(",", LocalServer.DefaultKinds)}). redis-aof is Redis with the append-only file, fsync always; zk-3 and etcd-3 are a 3-node ensemble and a 3-member cluster, whose faults hit the leader.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var clients = new Option<int>("--clients", "-c") { Description = "Client processes contending for the lock.", DefaultValueFactory = _ => 4 };
        var callers = new Option<int>("--callers") { Description = "Callers in each client process, each its own loop on the process's provider (the stores that hand the lock around inside a process, redis:// and postgres://, are then checked too).", DefaultValueFactory = _ => 1 };
        var duration = new Option<string>("--duration", "-d") { Description = "How long each store × fault runs (at least one fault is injected even if it takes longer).", DefaultValueFactory = _ => "10s" };
        var fault = new Option<string[]>("--fault", "-f") { Description = $"A fault to inject, repeatable: {string.Join(", ", Faults.All)}. Default: none." };
        var fenced = new Option<bool>("--fenced") { Description = "The register refuses reads and writes carrying a token below the highest it has seen." };
        var hold = new Option<string>("--hold") { Description = "How long each client holds the lock between its read and its write.", DefaultValueFactory = _ => "20ms" };
        var pause = new Option<string?>("--pause") { Description = "How long pause, server-pause and partition last (default 1.5 × the lease or session + 0.5 s; 1 s for file://)." };
        var timeout = new Option<string>("--acquire-timeout") { Description = "Longest wait of one acquire.", DefaultValueFactory = _ => "10s" };
        var primitive = new Option<string>("--primitive") { Description = $"What the clients contend for: {string.Join(", ", VerifyPrimitive.All)} (one acquire in three a write; the reads only count themselves). Default: lock.", DefaultValueFactory = _ => VerifyPrimitive.Lock };
        var permits = new Option<int?>("--permits") { Description = "The semaphore's permits, 2 to 16 (with --primitive semaphore; default 2). Checked: never more holders at once." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of the table." };
        var report = new Option<string?>("--report") { Description = "Write a self-contained HTML report with a timeline of holds per client." };
        var command = new Command("verify", "Check a store's safety under faults: client processes update a register under the lock while verify pauses, kills or cuts off holders, or restarts or freezes the server; counts overlaps, lost updates, stale writes and tokens out of order.")
        {
            stores, localServers, clients, callers, primitive, permits, duration, fault, fenced, hold, pause, timeout, json, report,
        };
        command.SetAction(async (p, _) =>
        {
            var uris = (p.GetValue(stores) ?? []).ToList();
            foreach (var uri in uris)
            {
                StoreOpener.Validate(uri);
                if (!StoreOpener.IsCrossProcess(uri))
                    throw new UsageException($"cannot verify {StoreOpener.Shown(uri)}: mem:// locks one process only, and verify's clients are separate processes; use file:// to check a machine-local lock");
            }
            var kinds = LocalKinds(p.GetResult(localServers) is null ? null : p.GetValue(localServers) ?? string.Join(',', LocalServer.DefaultKinds));
            if (uris.Count == 0 && kinds.Count == 0) throw new UsageException("give --store URI (repeatable) or --local-servers");
            await StoreOpener.CheckAllAsync(uris);
            var faults = (p.GetValue(fault) is { Length: > 0 } f ? f : [Faults.None]).Select(x => x.Trim().ToLowerInvariant()).Distinct().ToList();
            foreach (var x in faults.Where(x => !Faults.All.Contains(x)))
                throw new UsageException($"invalid fault '{x}' for --fault: expected one of {string.Join(", ", Faults.All)}");
            if (p.GetValue(report) is { } reportFile) Args.OutputFile(reportFile, "--report");
            var options = new VerifyOptions(
                Args.Positive(p.GetValue(clients), "--clients", 64),
                Args.Duration(p.GetValue(duration), "--duration"),
                Args.Duration(p.GetValue(hold), "--hold"),
                Args.Duration(p.GetValue(timeout), "--acquire-timeout"),
                p.GetValue(fenced),
                p.GetValue(pause) is { } pauseText ? Args.Duration(pauseText, "--pause") : null)
            {
                Callers = Args.Positive(p.GetValue(callers), "--callers", 16),
            };
            if (options.Clients < 2) throw new UsageException("invalid value 1 for --clients: expected 2 to 64 (exclusion needs contenders)");
            options = options with { Primitive = Primitive(p.GetValue(primitive), p.GetValue(permits), options) };

            var results = await RunAllAsync(context, uris, kinds, faults, options, p.GetValue(json));
            if (p.GetValue(json)) Console.WriteLine(Json.Serialize(results));
            else VerifyTable.Print(context.Terminal, results);
            if (p.GetValue(report) is { } html)
            {
                VerifyReport.Write(html, results, "padlock " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
                if (!p.GetValue(json)) context.Terminal.Text($"report: {Path.GetFullPath(html)}");
            }
            return results.Any(r => r.Outcome == "unsafe") ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static VerifyPrimitive Primitive(string? kind, int? permits, VerifyOptions options)
    {
        var k = (kind ?? VerifyPrimitive.Lock).Trim().ToLowerInvariant();
        if (!VerifyPrimitive.All.Contains(k))
            throw new UsageException($"invalid primitive '{kind}' for --primitive: expected one of {string.Join(", ", VerifyPrimitive.All)}");
        if (k != VerifyPrimitive.Semaphore && permits is not null)
            throw new UsageException($"--permits {permits} goes with --primitive semaphore only (this run checks {k})");
        var n = permits ?? 2;
        if (k == VerifyPrimitive.Semaphore && n is < 2 or > 16)
            throw new UsageException($"invalid value {n} for --permits: expected 2 to 16 (one permit is the lock: use --primitive lock)");
        var primitive = new VerifyPrimitive(k, k == VerifyPrimitive.Semaphore ? n : 1);
        if (options.Fenced && !primitive.AllExclusive)
            throw new UsageException($"--fenced checks one holder at a time against the highest token; {primitive.Label} has shared holds that act in any token order: use it with --primitive lock or election");
        if (k == VerifyPrimitive.Semaphore && options.Clients * options.Callers <= n)
            throw new UsageException($"--clients {options.Clients} x --callers {options.Callers} is not more than {n} permits: nobody would ever wait; give more clients or fewer permits");
        return primitive;
    }

    private static List<string> LocalKinds(string? list)
    {
        if (list is null) return [];
        var kinds = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => k.ToLowerInvariant()).Distinct().ToList();
        foreach (var k in kinds.Where(k => !LocalServer.Kinds.Contains(k)))
            throw new UsageException($"invalid server kind '{k}' for --local-servers: expected a comma list of {string.Join(", ", LocalServer.Kinds)}");
        return kinds.Count > 0 ? kinds : [.. LocalServer.DefaultKinds];
    }

    private static async Task<List<VerifyResult>> RunAllAsync(CliContext context, List<string> uris, List<string> kinds, List<string> faults, VerifyOptions options, bool quiet)
    {
        var work = Path.Combine(Path.GetTempPath(), "padlock-verify", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var results = new List<VerifyResult>();
        try
        {
            var targets = uris.Select(u => (Label: u, Server: (LocalServer?)null, Error: (string?)null)).ToList();
            foreach (var kind in kinds)
            {
                try
                {
                    targets.Add((kind, await LocalServer.StartAsync(kind), null));
                }
                catch (InvalidOperationException ex)
                {
                    targets.Add((kind, null, $"{kind} could not be started: {ex.Message.Split('\n')[0]}"));
                }
            }
            try
            {
                foreach (var (label, server, error) in targets)
                {
                    var uri = server?.Uri ?? label;
                    foreach (var fault in faults)
                    {
                        if (!quiet) Terminal.Error($"checking {StoreOpener.Shown(uri)} under {fault}{(options.Fenced ? ", fenced" : "")} ...");
                        var row = new VerifyResult { Store = StoreOpener.Shown(uri), Fault = fault, Fenced = options.Fenced, Clients = options.Clients, Primitive = options.Primitive.Label };
                        if (error is not null) results.Add(Checker.Judge(row with { NotRun = error }));
                        else results.Add(await new VerifyRunner(options, work).RunAsync(uri, fault, server, context.Interrupted));
                    }
                }
            }
            finally
            {
                foreach (var t in targets) if (t.Server is not null) await t.Server.DisposeAsync();
            }
            return results;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("PADLOCK_VERIFY_KEEP") is null or "" or "0") { try { Directory.Delete(work, recursive: true); } catch (IOException) { } }
        }
    }
}
