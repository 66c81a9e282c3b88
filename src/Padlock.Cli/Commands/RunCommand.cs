using System.CommandLine;
using Padlock.Cli.Common;
using Padlock.Cli.Primitives;
using Padlock.Cli.Run;

namespace Padlock.Cli.Commands;

/// <summary>
/// <c>padlock run NAME [--store URI] [--wait D] [--on-lost kill|warn] [--semaphore N | --rw read|write | --elect [--value V]]
/// -- COMMAND [ARGS...]</c>.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The lock name." };
        var store = new Option<string>("--store", "-s") { Description = "Store URI (default: the file store in $TMPDIR/padlock).", DefaultValueFactory = _ => LockProvider.DefaultUri };
        var wait = new Option<string?>("--wait", "-w") { Description = "How long to wait for the lock: 0 (the default, try once; with --elect: infinite), a duration (30s), or 'infinite'." };
        var onLost = new Option<string>("--on-lost") { Description = "What to do if the lock is lost while the command runs: kill (default; the command's process tree) or warn.", DefaultValueFactory = _ => "kill" };
        onLost.AcceptOnlyFromAmong("kill", "warn");
        var primitive = new PrimitiveOptions();
        var command = new Command("run", "Run a command while holding a lock, like flock(1); or one of N semaphore permits, a read or write lock, or the leadership of an election. Everything after '--' is the command. Exit codes: the command's own; 2 usage; 69 store unreachable; 75 lock busy; 76 lock lost (warned); 77 lock lost (command killed); 124 timed out waiting; 126 command cannot start.")
        {
            name, store, wait, onLost,
        };
        foreach (var o in primitive.All) command.Options.Add(o);
        command.SetAction(async (parse, _) =>
        {
            var chosen = primitive.Parse(parse);
            // A follower of an election is there to take over: it waits for as long as it takes unless told otherwise.
            var waitText = parse.GetValue(wait) ?? (chosen.Kind == "election" ? "infinite" : "0");
            var options = new RunOptions(
                Args.LockName(parse.GetValue(name)),
                parse.GetValue(store)!,
                Args.Duration(waitText, "--wait", allowInfinite: true),
                parse.GetValue(onLost) == "warn" ? LostPolicy.Warn : LostPolicy.Kill,
                context.CommandTail ?? [],
                chosen);
            return await new CommandRunner(context, options).RunAsync();
        });
        return command;
    }
}
