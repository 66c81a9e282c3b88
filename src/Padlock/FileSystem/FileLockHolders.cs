using System.Globalization;

namespace Padlock.FileSystem;

/// <summary>
/// Which process holds a lock file, from the kernel's table of file locks (<c>/proc/locks</c>, Linux only).
/// Reading the table takes no lock, so inspecting never makes a concurrent try-lock fail; probing the file with a
/// lock attempt would.
/// </summary>
internal static class FileLockHolders
{
    /// <summary>The pid holding an exclusive flock on the file (device, inode), or null when none does or the table is unavailable.</summary>
    internal static int? HolderOf((ulong Device, ulong Inode) file)
        => HoldersOf(file)?.FirstOrDefault(h => h.Exclusive) is { Pid: > 0 } h ? h.Pid : null;

    /// <summary>
    /// Every granted flock on the file (device, inode): the pid and whether it is exclusive (WRITE) or shared (READ), in
    /// the table's order; null when the table is unavailable. Blocked requests ("-&gt;") are not holders and are left out.
    /// </summary>
    internal static List<(int Pid, bool Exclusive)>? HoldersOf((ulong Device, ulong Inode) file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/locks");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // glibc's encoding of dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 12-31.
        var major = ((file.Device >> 8) & 0xfff) | ((file.Device >> 32) & ~0xfffUL);
        var minor = (file.Device & 0xff) | ((file.Device >> 12) & ~0xffUL);
        var holders = new List<(int, bool)>();
        foreach (var line in lines)
        {
            // "1: FLOCK  ADVISORY  WRITE 7730 fe:00:11657681 0 EOF"; blocked waiters are listed as "1: -> FLOCK ...".
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || f[1] != "FLOCK" || f[3] is not ("WRITE" or "READ")) continue;
            var id = f[5].Split(':');
            if (id.Length != 3) continue;
            if (ulong.TryParse(id[2], CultureInfo.InvariantCulture, out var inode) && inode == file.Inode
                && ulong.TryParse(id[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var maj) && maj == major
                && ulong.TryParse(id[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var min) && min == minor
                && int.TryParse(f[4], CultureInfo.InvariantCulture, out var pid))
                holders.Add((pid, f[3] == "WRITE"));
        }
        return holders;
    }

    /// <summary>A holder's description as the inspectors show it: host/pid and the process's command name when readable.</summary>
    internal static string Describe(int pid)
        => $"{Environment.MachineName}/{pid}" + (CommandOf(pid) is { } command ? $" ({command})" : "");

    /// <summary>The process's command name, or null when it cannot be read.</summary>
    internal static string? CommandOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
