using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Padlock.FileSystem;

/// <summary>
/// Device and inode of a path or an open file, to tell whether the file we locked is still the one at the path.
/// On Unix a lock file can be deleted while locked; the next process then creates and locks a new file at the same
/// path, and without this check both would believe they hold the lock. (Windows refuses to delete an open file.)
/// </summary>
internal static class FileIdentity
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns (device, inode) of the path, or null when it does not exist or the check is unavailable.</summary>
    internal static (ulong, ulong)? OfPath(string path)
    {
        if (_unavailable) return null;
        var buf = new byte[256];
        try
        {
            return stat(path, buf) == 0 ? Read(buf) : null;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            return null;
        }
    }

    /// <summary>Returns (device, inode) of the open file, or null when the check is unavailable.</summary>
    internal static (ulong, ulong)? OfHandle(SafeFileHandle handle)
    {
        if (_unavailable) return null;
        var buf = new byte[256];
        try
        {
            return fstat((int)handle.DangerousGetHandle(), buf) == 0 ? Read(buf) : null;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            return null;
        }
    }

    /// <summary>True when the check is known to work here, or the platform does not need it.</summary>
    internal static bool SamePath(SafeFileHandle handle, string path)
    {
        var mine = OfHandle(handle);
        if (mine is null) return File.Exists(path);
        return OfPath(path) == mine;
    }

    // struct stat on Linux x86_64 and arm64 both begin with st_dev (8 bytes) then st_ino (8 bytes).
    private static (ulong, ulong) Read(byte[] buf) => (BitConverter.ToUInt64(buf, 0), BitConverter.ToUInt64(buf, 8));

    /// <summary>
    /// The first 8 bytes of the file (the fencing counter), read without taking the file lock: .NET's FileStream takes
    /// a shared flock on open, which fails while a holder has the exclusive one. Null when unreadable or short.
    /// </summary>
    internal static long? ReadCounter(string path)
    {
        if (_unavailable) return null;
        var buf = new byte[8];
        try
        {
            var fd = open(path, 0 /* O_RDONLY */);
            if (fd < 0) return null;
            try
            {
                return pread(fd, buf, 8, 0) == 8 ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(buf) : null;
            }
            finally
            {
                _ = close(fd);
            }
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

#pragma warning disable SYSLIB1054 // DllImport keeps this free of unsafe code; the calls are rare (acquire, loss check).
    [DllImport("libc", EntryPoint = "stat", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int stat(string path, byte[] buf);

    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int fstat(int fd, byte[] buf);

    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int open(string path, int flags);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern nint pread(int fd, byte[] buf, nint count, long offset);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
