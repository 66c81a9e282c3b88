using System.CommandLine;
using Padlock.Cli.Common;
using Padlock.Cli.Run;

namespace Padlock.Cli.Commands;

/// <summary><c>padlock run NAME [--store URI] [--wait D] [--on-lost kill|warn] -- COMMAND [ARGS...]</c>.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The lock name." };
        var store = new Option<string>("--store", "-s") { Description = "Store URI (default: the file store in $TMPDIR/padlock).", DefaultValueFactory = _ => LockProvider.DefaultUri };
        var wait = new Option<string>("--wait", "-w") { Description = "How long to wait for the lock: 0 (default, try once), a duration (30s), or 'infinite'.", DefaultValueFactory = _ => "0ms" };
        var onLost = new Option<string>("--on-lost") { Description = "What to do if the lock is lost while the command runs: kill (default; the command's process tree) or warn.", DefaultValueFactory = _ => "kill" };
        onLost.AcceptOnlyFromAmong("kill", "warn");
        var command = new Command("run", "Run a command while holding a lock, like flock(1). Everything after '--' is the command. Exit codes: the command's own; 2 usage; 69 store unreachable; 75 lock busy; 76 lock lost (warned); 77 lock lost (command killed); 124 timed out waiting; 126 command cannot start.")
        {
            name, store, wait, onLost,
        };
        command.SetAction(async (parse, _) =>
        {
            var options = new RunOptions(
                Args.LockName(parse.GetValue(name)),
                parse.GetValue(store)!,
                Args.Duration(parse.GetValue(wait), "--wait", allowInfinite: true),
                parse.GetValue(onLost) == "warn" ? LostPolicy.Warn : LostPolicy.Kill,
                context.CommandTail ?? []);
            return await new CommandRunner(context, options).RunAsync();
        });
        return command;
    }
}
