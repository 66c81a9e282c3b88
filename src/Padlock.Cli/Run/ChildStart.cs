using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Padlock.Cli.Run;

/// <summary>
/// Starts the command from a thread of its own that lives until the command exits, optionally letting the command
/// inherit the descriptor that holds a file lock.
/// </summary>
/// <remarks>
/// The thread matters for the parent-death signal (see <see cref="ChildTie"/>): Linux sends the parent-death signal when the
/// <em>thread</em> that forked the child ends, not only the process, and a thread-pool thread may retire while the
/// command still runs (after about 20 s idle), which would kill the command for nothing.
/// </remarks>
internal static class ChildStart
{
    /// <summary>The started command and a task that completes when it has exited; throws what <see cref="Process.Start()"/> throws.</summary>
    public static Task<(Process Child, Task Exited)> StartAsync(ProcessStartInfo psi, SafeFileHandle? inheritedLock)
    {
        var started = new TaskCompletionSource<(Process, Task)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var child = new Process { StartInfo = psi };
            try
            {
                StartWith(child, inheritedLock);
            }
            catch (Exception ex)
            {
                child.Dispose();
                started.SetException(ex);
                return;
            }
            started.SetResult((child, exited.Task));
            try
            {
                child.WaitForExit();
                exited.SetResult();
            }
            catch (Exception ex)
            {
                exited.SetException(ex);
            }
        })
        {
            IsBackground = true, // never keeps padlock alive; it only ends once the command has exited anyway
            Name = "padlock run: command",
        };
        thread.Start();
        return started.Task;
    }

    private static void StartWith(Process child, SafeFileHandle? inheritedLock)
    {
        if (inheritedLock is null)
        {
            child.Start();
            return;
        }
        // .NET opens files close-on-exec; dup() makes a copy without that flag, sharing the same open file and so the
        // same flock. Only the command gets the copy: padlock closes its own once the command has started.
        var copy = Posix.Dup(inheritedLock);
        try
        {
            child.Start();
        }
        finally
        {
            Posix.Close(copy);
        }
    }
}
