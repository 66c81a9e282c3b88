namespace Padlock.ZooKeeper.Client;

/// <summary>The server's rules for node paths, checked before anything is sent so that bad input is an <see cref="ArgumentException"/>.</summary>
internal static class ZkPaths
{
    /// <summary>Throws when <paramref name="path"/> is not an absolute ZooKeeper path.</summary>
    /// <param name="path">The path.</param>
    /// <param name="sequential">A sequential create may end in '/': the server appends the sequence number.</param>
    /// <param name="paramName">The parameter to name.</param>
    public static void Validate(string path, bool sequential = false, string paramName = "path")
    {
        ArgumentNullException.ThrowIfNull(path, paramName);
        if (Problem(path, sequential) is { } problem) throw new ArgumentException(problem, paramName);
    }

    /// <summary>What is wrong with <paramref name="path"/> as a ZooKeeper path, or null when it is valid.</summary>
    public static string? Problem(string path, bool sequential = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) return Bad(path, "it is empty");
        if (path[0] != '/') return Bad(path, "it must start with '/'");
        if (path.Length == 1) return null;
        if (path[^1] == '/' && !sequential) return Bad(path, "it must not end with '/'");
        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                var c = path[i];
                if (c == '\0' || (c > '\u0000' && c <= '\u001f') || (c >= '\u007f' && c <= '\u009f')
                    || (c >= '\ud800' && c <= '\uf8ff') || (c >= '\ufff0' && c <= '\uffff'))
                    return Bad(path, $"it contains the character U+{(int)c:X4} at index {i}; control, surrogate and private-use characters are not allowed");
                continue;
            }
            var segment = path.AsSpan(segmentStart, i - segmentStart);
            if (segment.Length == 0 && !(sequential && i == path.Length)) return Bad(path, $"it has an empty segment ('//') at index {i}");
            if (segment is "." or "..") return Bad(path, "'.' and '..' segments are not allowed");
            segmentStart = i + 1;
        }
        return null;
    }

    /// <summary>The parent of an absolute path ("/" for a top-level node).</summary>
    public static string Parent(string path)
    {
        var i = path.LastIndexOf('/');
        return i <= 0 ? "/" : path[..i];
    }

    /// <summary>The last segment of a path.</summary>
    public static string Leaf(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>Joins a parent path and a child name.</summary>
    public static string Combine(string parent, string child) => parent == "/" ? "/" + child : parent + "/" + child;

    private static string Bad(string path, string why)
        => $"'{path}' is not a valid ZooKeeper path: {why}. A path is '/' or '/'-separated non-empty names.";
}
