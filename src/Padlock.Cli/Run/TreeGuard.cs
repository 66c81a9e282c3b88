using System.Diagnostics;
using System.Globalization;

namespace Padlock.Cli.Run;

/// <summary>
/// Kills the command's whole process group the moment padlock dies, so that nothing the command started (a script's
/// children) runs on without the lock. The parent-death signal reaches only the command itself; this covers the rest.
/// </summary>
/// <remarks>
/// A watchdog <c>sh</c> blocks reading a pipe whose only writer is padlock. When padlock exits in any way (SIGKILL, the
/// OOM killer) the kernel closes the pipe, the read returns, and the watchdog kills the group. Nothing polls, and the
/// watchdog needs no code of ours to survive padlock. The command runs in a session of its own (<c>setsid</c>), so its
/// group is exactly the command and what it started. On a normal end padlock kills the watchdog before closing the pipe.
/// </remarks>
internal sealed class TreeGuard : IDisposable
{
    private readonly Process _watchdog;

    private TreeGuard(Process watchdog) => _watchdog = watchdog;

    /// <summary>Starts guarding process group <paramref name="groupId"/>; null when no shell can be found.</summary>
    public static TreeGuard? Start(int groupId)
    {
        if (ExecutableResolver.Resolve("sh") is not { } sh) return null;
        var psi = new ProcessStartInfo(sh) { UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("read _; kill -KILL -\"$1\" 2>/dev/null"); // dash's kill takes no "--"
        psi.ArgumentList.Add("padlock-guard");
        psi.ArgumentList.Add(groupId.ToString(CultureInfo.InvariantCulture));
        return new TreeGuard(Process.Start(psi)!);
    }

    /// <summary>Stops the watchdog without letting it act (the command has ended, or padlock is handling it).</summary>
    public void Dispose()
    {
        try
        {
            _watchdog.Kill();
            _watchdog.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // it had already exited
        }
        _watchdog.Dispose();
    }
}
