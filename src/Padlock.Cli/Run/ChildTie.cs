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
/// package. The kernel signals only the direct child, so the command also runs in a process group of its own
/// (<c>setsid</c>) and <see cref="TreeGuard"/> kills that whole group when padlock dies. Not covered: a process that
/// leaves the group itself (a daemon that calls setsid), and a padlock killed in the instant between the fork and the
/// watchdog's start (the command itself still dies then, by the parent-death signal).</para>
/// </remarks>
internal static class ChildTie
{
    /// <summary>What <see cref="Prepare"/> arranged: the descriptor the command must inherit (file store), and whether
    /// the command will lead a process group of its own for <see cref="TreeGuard"/>.</summary>
    public readonly record struct Plan(SafeFileHandle? InheritedLock, bool OwnGroup);

    /// <summary>
    /// Adjusts <paramref name="psi"/> for the store and says what else the start needs.
    /// </summary>
    /// <param name="store">The store the hold is in.</param>
    /// <param name="lockName">The name held.</param>
    /// <param name="isLock">Whether the hold is the exclusive lock: only its flock can be handed to the command (the
    /// file store's semaphores, reader-writer locks and elections are held in files the command cannot inherit alone).</param>
    /// <param name="psi">The command's start; rewritten to start through setpriv and setsid where those are used.</param>
    public static Plan Prepare(ILockStore store, string lockName, bool isLock, ProcessStartInfo psi)
    {
        if (isLock && store is FileLockStore files)
            return new(files.HeldFile(lockName) ?? throw new InvalidOperationException($"the file store holds no lock file for '{lockName}'"), false);
        if (ExecutableResolver.Resolve("setpriv") is not { } setpriv)
        {
            Terminal.Error("warning: setpriv (util-linux) not found: if padlock is killed, the command keeps running without the lock");
            return default;
        }
        psi.ArgumentList.Insert(0, psi.FileName);
        // setsid puts the command in a session and process group of its own (it executes in place: same PID), so
        // TreeGuard can kill exactly the command and everything it started.
        var setsid = ExecutableResolver.Resolve("setsid");
        var ownGroup = setsid is not null;
        if (setsid is not null)
        {
            psi.ArgumentList.Insert(0, "-w");
            psi.ArgumentList.Insert(0, setsid);
        }
        psi.ArgumentList.Insert(0, "--");
        psi.ArgumentList.Insert(0, "KILL");
        psi.ArgumentList.Insert(0, "--pdeathsig");
        psi.FileName = setpriv;
        return new(null, ownGroup);
    }
}
