using System.Runtime.InteropServices;

namespace Padlock.Cli.Run;

/// <summary>Sends POSIX signals by number; .NET's Process only kills.</summary>
internal static class Signals
{
    /// <summary>The signals <c>padlock run</c> passes on to its command, with their Linux numbers.</summary>
    public static readonly (PosixSignal Signal, int Number)[] Forwarded =
    [
        (PosixSignal.SIGHUP, 1), (PosixSignal.SIGINT, 2), (PosixSignal.SIGQUIT, 3), (PosixSignal.SIGTERM, 15),
    ];

    public static void Send(int pid, int signal) => _ = kill(pid, signal);

#pragma warning disable SYSLIB1054 // a plain DllImport keeps the project free of unsafe code
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
