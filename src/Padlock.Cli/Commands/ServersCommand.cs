using System.CommandLine;
using System.Globalization;
using Padlock.Cli.Common;
using Padlock.Cli.Output;
using Padlock.Cli.Servers;
using Spectre.Console;

namespace Padlock.Cli.Commands;

/// <summary><c>padlock servers start|stop|status [--redis] [--zookeeper] [--etcd] [--postgres] [--cluster N]</c>: real local servers for trying Padlock.</summary>
internal static class ServersCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("servers", "Start, stop or list real local Redis, ZooKeeper and etcd servers on loopback, with data in a temporary directory.");
        command.Add(Start(context));
        command.Add(Stop(context));
        command.Add(Status(context));
        return command;
    }

    private static (Option<bool> Redis, Option<bool> Zk, Option<bool> Etcd, Option<bool> Postgres) KindOptions(Command c)
    {
        var redis = new Option<bool>("--redis") { Description = "Redis." };
        var zk = new Option<bool>("--zookeeper", "--zk") { Description = "ZooKeeper." };
        var etcd = new Option<bool>("--etcd") { Description = "etcd." };
        var postgres = new Option<bool>("--postgres") { Description = "PostgreSQL (one server; --cluster does not apply)." };
        c.Add(redis);
        c.Add(zk);
        c.Add(etcd);
        c.Add(postgres);
        return (redis, zk, etcd, postgres);
    }

    private static Option<string> StateOption(Command c)
    {
        var state = new Option<string>("--state") { Description = "The directory holding the state file and server data (default: $TMPDIR/padlock-servers).", DefaultValueFactory = _ => ServerState.DefaultDirectory };
        c.Add(state);
        return state;
    }

    private static Option<bool> JsonOption(Command c)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        c.Add(json);
        return json;
    }

    private static IReadOnlyList<ServerKind> Selected(ParseResult p, (Option<bool> Redis, Option<bool> Zk, Option<bool> Etcd, Option<bool> Postgres) o)
    {
        var names = new List<string>();
        if (p.GetValue(o.Redis)) names.Add("redis");
        if (p.GetValue(o.Zk)) names.Add("zookeeper");
        if (p.GetValue(o.Etcd)) names.Add("etcd");
        if (p.GetValue(o.Postgres)) names.Add("postgres");
        // None named: all of them.
        return names.Count == 0 ? ServerKind.All : [.. ServerKind.All.Where(k => names.Contains(k.Name))];
    }

    private static Command Start(CliContext context)
    {
        var c = new Command("start", "Start servers (all four when none is named) and print their store URIs. They keep running after padlock exits.");
        var kinds = KindOptions(c);
        var cluster = new Option<int>("--cluster", "-n") { Description = "Members per server kind: a ZooKeeper quorum, an etcd cluster, independent Redis masters for redlock://.", DefaultValueFactory = _ => 1 };
        c.Add(cluster);
        var stateDir = StateOption(c);
        var json = JsonOption(c);
        c.SetAction(async (p, _) =>
        {
            var n = Args.Positive(p.GetValue(cluster), "--cluster", 9);
            var launcher = new ServerLauncher(new ServerState(p.GetValue(stateDir)!));
            var groups = new List<ServerGroup>();
            foreach (var kind in Selected(p, kinds))
            {
                if (!p.GetValue(json)) context.Terminal.Line($"starting {kind.Name}{(n > 1 ? $" x{n}" : "")} ...");
                groups.Add(await launcher.StartAsync(kind, n, context.Interrupted));
            }
            if (p.GetValue(json))
            {
                Console.WriteLine(Json.Serialize(groups));
                return ExitCodes.Ok;
            }
            var table = context.Terminal.NewTable("server", "pid", "port", "store URI");
            foreach (var g in groups)
                table.AddRow(g.Kind, string.Join(",", g.Servers.Select(s => s.Pid)), string.Join(",", g.Servers.Select(s => s.Port)), string.Join("  ", g.Uris));
            context.Terminal.Out.Write(table);
            context.Terminal.Text($"stop them with: padlock servers stop{(p.GetValue(stateDir) == ServerState.DefaultDirectory ? "" : " --state " + p.GetValue(stateDir))}");
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Stop(CliContext context)
    {
        var c = new Command("stop", "Stop the servers 'padlock servers start' started (all of them, or the kinds named) and delete their data.");
        var kinds = KindOptions(c);
        var stateDir = StateOption(c);
        c.SetAction(async p =>
        {
            var state = new ServerState(p.GetValue(stateDir)!);
            var wanted = Selected(p, kinds).Select(k => k.Name).ToHashSet();
            var records = state.Load().Where(r => wanted.Contains(r.Kind)).ToList();
            await new ServerLauncher(state).StopAsync(records);
            context.Terminal.Text(records.Count == 0 ? "no servers to stop" : "stopped " + string.Join(", ", records.Select(r => $"{r.Kind} pid {r.Pid} port {r.Port}")));
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Status(CliContext context)
    {
        var c = new Command("status", "List the servers 'padlock servers start' started, and whether each runs and answers.");
        var stateDir = StateOption(c);
        var json = JsonOption(c);
        c.SetAction(async p =>
        {
            var records = new ServerState(p.GetValue(stateDir)!).Load();
            var rows = new List<ServerStatusRow>();
            foreach (var r in records)
            {
                var kind = ServerKind.All.First(k => k.Name == r.Kind);
                var running = DetachedProcess.IsRunning(r.Pid, r.Program);
                rows.Add(new ServerStatusRow(r.Kind, r.Pid, r.Port, running, running && await kind.ReadyAsync(r.Port, context.Interrupted), r.Group));
            }
            if (p.GetValue(json))
            {
                Console.WriteLine(Json.Serialize(rows));
                return ExitCodes.Ok;
            }
            if (rows.Count == 0)
            {
                context.Terminal.Text("no servers started by padlock");
                return ExitCodes.Ok;
            }
            var table = context.Terminal.NewTable("server", "pid", "port", "running", "answers", "group");
            foreach (var r in rows)
                table.AddRow(r.Kind, r.Pid.ToString(CultureInfo.InvariantCulture), r.Port.ToString(CultureInfo.InvariantCulture), r.Running ? "yes" : "no", r.Answers ? "yes" : "no", r.Group);
            context.Terminal.Out.Write(table);
            return ExitCodes.Ok;
        });
        return c;
    }

    internal sealed record ServerStatusRow(string Kind, int Pid, int Port, bool Running, bool Answers, string Group);
}
