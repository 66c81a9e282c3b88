using System.Runtime.InteropServices;

namespace Padlock.LocalServers;

/// <summary>Signals, which .NET's Process class does not send.</summary>
public static class Posix
{
    /// <summary>SIGTERM.</summary>
    public static void Terminate(int pid) => _ = kill(pid, 15);

    /// <summary>SIGINT (PostgreSQL's "fast shutdown").</summary>
    public static void Interrupt(int pid) => _ = kill(pid, 2);

    /// <summary>SIGSTOP: freezes a process, as a long GC pause or a stopped VM would.</summary>
    public static void Pause(int pid) => _ = kill(pid, 19);

    /// <summary>SIGCONT.</summary>
    public static void Resume(int pid) => _ = kill(pid, 18);

#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
