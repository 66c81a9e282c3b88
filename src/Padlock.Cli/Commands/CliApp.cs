using System.CommandLine;
using System.Runtime.InteropServices;
using Padlock.Cli.Common;
using Padlock.Cli.Output;

namespace Padlock.Cli.Commands;

/// <summary>
/// Builds the command tree, parses, runs, and maps every failure to one line and an exit code by its type, never its
/// message: <see cref="UsageException"/>, the <see cref="ArgumentException"/> family and
/// <see cref="Padlock.Stores.StorePackageMissingException"/> to 2; <see cref="StoreUnreachableException"/> and any
/// <see cref="Padlock.Stores.LockStoreUnavailableException"/> that escaped without one to 69; anything unexpected to 1
/// with its message (never a stack trace).
/// </summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        // "--" ends padlock's own arguments: what follows is the command `run` starts, untouched by the parser.
        var split = Array.IndexOf(args, "--");
        var head = split < 0 ? args : args[..split];
        var tail = split < 0 ? null : args[(split + 1)..];

        var terminal = Terminal.Create();
        using var interrupt = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; interrupt.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; interrupt.Cancel(); });

        var context = new CliContext(terminal, tail, interrupt.Token);
        var root = BuildRoot(context);
        try
        {
            var parsed = root.Parse(head);
            var command = parsed.CommandResult.Command;
            if (command.Name == "run" && tail is null)
                throw new UsageException("missing '--' before the command: padlock run NAME [--store URI] [--wait DURATION] [--on-lost kill|warn] -- COMMAND [ARGS...]");
            if (parsed.Errors.Count > 0)
            {
                // A misspelt command or option is the real problem; "required command not provided" only follows from it.
                var message = parsed.UnmatchedTokens.Count > 0
                    ? $"Unrecognized command or argument '{parsed.UnmatchedTokens[0]}'"
                    : string.Join(' ', parsed.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
                throw new UsageException($"{message} (see 'padlock {(command == root ? "" : command.Name + " ")}--help')");
            }
            if (tail is not null && command.Name != "run")
                throw new UsageException($"'--' is only for 'padlock run NAME -- COMMAND [ARGS...]'");
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (UsageException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.Usage;
        }
        catch (ArgumentException ex)
        {
            // Bad input the library refused (an out-of-range value, a malformed name): the caller's to fix, by type.
            Terminal.Error(Args.Clean(ex.Message.Split('\n')[0]));
            return ExitCodes.Usage;
        }
        catch (Padlock.Stores.StorePackageMissingException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.Usage;
        }
        catch (NotSupportedException ex)
        {
            // The store cannot give the primitive asked for (elections on file://, say): a choice the caller must change.
            Terminal.Error(ex.Message.Split('\n')[0]);
            return ExitCodes.Usage;
        }
        catch (StoreUnreachableException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.StoreUnreachable;
        }
        catch (Padlock.Stores.LockStoreUnavailableException ex)
        {
            // A store became unreachable where no command wrapped it with the URI: still 69, by type.
            Terminal.Error($"store unreachable: {ex.Message.Split('\n')[0]}");
            return ExitCodes.StoreUnreachable;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            Terminal.Error("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            Terminal.Error($"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
            return ExitCodes.Failed;
        }
    }

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("padlock: distributed locks from the command line. Stores are URIs: mem://, file://DIR (default), redis://, redlock://, zk://, etcd://, postgres://.")
        {
            DemoCommand.Create(context),
            RunCommand.Create(context),
            BenchCommand.Create(context),
            StatusCommand.Create(context),
            ServersCommand.Create(context),
            VerifyCommand.Create(context),
            PostgresCommand.Create(context),
            WorkerCommand.Create(context),
            ShardsCommand.Create(context),
        };
        return root;
    }
}
