using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Padlock.Cli.Commands;
using Padlock.Cli.Common;
using Padlock.Cli.Output;

namespace Padlock.Cli.Run;

/// <summary>
/// Takes the lock, runs the command with the fencing token in its environment, forwards signals to it, reacts to a
/// lost lock, and releases the lock when the command ends, whichever way it ends.
/// </summary>
internal sealed class CommandRunner(CliContext context, RunOptions options)
{
    public async Task<int> RunAsync()
    {
        if (options.Command.Length == 0)
            throw new UsageException("no command after '--': padlock run NAME [options] -- COMMAND [ARGS...]");
        var program = ExecutableResolver.Resolve(options.Command[0])
            ?? throw new UsageException($"command not found: '{options.Command[0]}' is neither a file nor a program on PATH");
        StoreOpener.Validate(options.StoreUri);
        if (!StoreOpener.IsCrossProcess(options.StoreUri))
            throw new UsageException($"'{StoreOpener.Shown(options.StoreUri)}' cannot guard 'padlock run': mem:// locks exclude only tasks inside one process, and every padlock run is a process of its own; use file://DIR (one machine) or a server store");

        await using var provider = StoreOpener.Open(options.StoreUri);
        ILockHandle? handle;
        try
        {
            handle = await options.Primitive.TryAcquireAsync(provider, options.LockName, options.Wait, context.Interrupted);
        }
        catch (Padlock.Stores.LockStoreUnavailableException ex)
        {
            throw new StoreUnreachableException(options.StoreUri, ex);
        }
        if (handle is null)
        {
            if (options.Wait == TimeSpan.Zero)
            {
                Terminal.Error($"{Busy()} on {StoreOpener.Shown(options.StoreUri)} (use --wait to wait for it)");
                return ExitCodes.LockBusy;
            }
            Terminal.Error($"timed out after {Durations.Format(options.Wait)} waiting for {What} on {StoreOpener.Shown(options.StoreUri)}");
            return ExitCodes.TimedOut;
        }

        await using (handle)
        {
            return await RunHoldingAsync(provider, program, handle);
        }
    }

    private string What => $"{options.Primitive.Kind} '{options.LockName}'";

    private string Busy() => options.Primitive.Kind switch
    {
        "lock" => $"lock '{options.LockName}' is busy",
        "election" => $"election '{options.LockName}' has a leader",
        "read lock" => $"reader-writer lock '{options.LockName}' is held or awaited by a writer",
        "write lock" => $"reader-writer lock '{options.LockName}' is held",
        _ => $"{What} has no free permit",
    };

    private async Task<int> RunHoldingAsync(LockProvider provider, string program, ILockHandle handle)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var a in options.Command.Skip(1)) psi.ArgumentList.Add(a);
        psi.Environment["PADLOCK_FENCING_TOKEN"] = handle.FencingToken.ToString(CultureInfo.InvariantCulture);
        psi.Environment["PADLOCK_LOCK_NAME"] = options.LockName;
        // Checked here, as the kernel would, because a helper in between (setpriv) would report it in its own words.
        if (Posix.CannotExecute(program) is { } why)
        {
            Terminal.Error($"cannot start '{options.Command[0]}': {why}");
            return ExitCodes.CannotStart;
        }
        var plan = ChildTie.Prepare(provider.Store, options.LockName, options.Primitive == Primitives.Primitive.Lock, psi);

        // While the command runs, padlock's own signals go to it; padlock stays to release the lock after it exits.
        // Registered before the start so a signal arriving in between is passed on, not lost.
        using var forwarder = new SignalForwarder();
        Process child;
        Task exited;
        try
        {
            (child, exited) = await ChildStart.StartAsync(psi, plan.InheritedLock);
        }
        catch (Win32Exception ex)
        {
            Terminal.Error($"cannot start '{options.Command[0]}': {ex.Message}");
            return ExitCodes.CannotStart;
        }
        using (child)
        using (plan.OwnGroup ? TreeGuard.Start(child.Id) : null)
        {
            forwarder.Started(child.Id);
            var lost = 0;
            using var onLost = handle.LostToken.Register(() =>
            {
                if (Interlocked.Exchange(ref lost, 1) == 1) return;
                if (options.OnLost == LostPolicy.Kill)
                {
                    Terminal.Error($"{What} was lost; killing the command (pid {child.Id}) and its children");
                    try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
                }
                else
                {
                    Terminal.Error($"warning: {What} was lost; the command (pid {child.Id}) keeps running without it");
                }
            });
            await exited;
            if (Volatile.Read(ref lost) == 1)
                return options.OnLost == LostPolicy.Kill ? ExitCodes.LostKilled : ExitCodes.LostWarned;
            return child.ExitCode;
        }
    }
}
