namespace Padlock.FileSystem;

/// <summary>
/// One text for one lock directory, however it was written: absolute, without trailing separators, with every symbolic
/// link on the way resolved. Sharded providers place names by it, so <c>file:///var/lock/app/</c>, <c>file:///var/lock/app</c>
/// and a link to it must agree.
/// </summary>
internal static class LockDirectoryPath
{
    /// <summary>The canonical form of <paramref name="directory"/>; parts that do not exist yet are kept as written.</summary>
    public static string Canonical(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var root = Path.GetPathRoot(full) ?? "";
        var resolved = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            // A link (even a chain of them) becomes its final target, which is itself absolute and canonical.
            var target = Path.Exists(next) ? new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true) : null;
            resolved = target is null ? next : Canonical(target.FullName);
        }
        return Path.TrimEndingDirectorySeparator(resolved);
    }
}
