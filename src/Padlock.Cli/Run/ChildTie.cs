using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using Padlock.Cli.Output;
using Padlock.FileSystem;
using Padlock.Stores;

namespace Padlock.Cli.Run;

/// <summary>
/// Keeps the command from running on without the lock when padlock dies without releasing it (SIGKILL, the OOM
/// killer), which would let a second copy of the job start beside it.
/// </summary>
/// <remarks>
/// <para>File store: the command inherits the descriptor that holds the flock, as with flock(1), so the lock lives
/// exactly as long as the command (or whatever it passes the descriptor on to) even if padlock is gone.</para>
/// <para>Other stores: a lease or session held by padlock cannot be handed to the command, so the command dies with
/// padlock instead. It is started through <c>setpriv --pdeathsig KILL</c> (util-linux), which sets
/// PR_SET_PDEATHSIG in the child and then executes the command in the same process, so the command keeps its PID
/// (signals and the loss kill still reach it) and its parent stays padlock. .NET has no hook to run code between
/// fork and exec, and a shell cannot call prctl; a helper program is the one way without native code in the
/// package. Not covered: processes the command itself started (the kernel signals only the direct child), and a
/// padlock killed in the instant between the fork and setpriv's prctl.</para>
/// </remarks>
internal static class ChildTie
{
    /// <summary>
    /// Adjusts <paramref name="psi"/> for the store; returns the file-lock descriptor the command must inherit, or null.
    /// </summary>
    public static SafeFileHandle? Prepare(ILockStore store, string lockName, ProcessStartInfo psi)
    {
        if (store is FileLockStore files)
            return files.HeldFile(lockName) ?? throw new InvalidOperationException($"the file store holds no lock file for '{lockName}'");
        if (ExecutableResolver.Resolve("setpriv") is not { } setpriv)
        {
            Terminal.Error("warning: setpriv (util-linux) not found: if padlock is killed, the command keeps running without the lock");
            return null;
        }
        psi.ArgumentList.Insert(0, psi.FileName);
        psi.ArgumentList.Insert(0, "--");
        psi.ArgumentList.Insert(0, "KILL");
        psi.ArgumentList.Insert(0, "--pdeathsig");
        psi.FileName = setpriv;
        return null;
    }
}
