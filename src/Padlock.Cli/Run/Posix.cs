using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Padlock.Cli.Run;

/// <summary>The few libc calls <c>padlock run</c> needs that .NET does not offer.</summary>
internal static class Posix
{
    private const int XOk = 1;

    /// <summary>A new descriptor for the same open file, without close-on-exec (dup(2) never sets it).</summary>
    public static int Dup(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = dup((int)handle.DangerousGetHandle());
            return fd >= 0 ? fd : throw new Win32Exception(Marshal.GetLastPInvokeError());
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    public static void Close(int fd) => _ = close(fd);

    /// <summary>Whether this process may execute <paramref name="path"/> (access(2) with X_OK); the error text when not.</summary>
    public static string? CannotExecute(string path)
        => access(path, XOk) == 0 ? null : new Win32Exception(Marshal.GetLastPInvokeError()).Message;

#pragma warning disable SYSLIB1054 // a plain DllImport keeps the project free of unsafe code
    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
#pragma warning restore SYSLIB1054
}
