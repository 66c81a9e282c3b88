using System.Globalization;
using System.Text;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// How lock names and queue entries become node names. Any lock name is accepted: characters a node name cannot carry
/// ('/', control, surrogate and private-use characters) and '%' itself are percent-encoded, and "." and ".." are
/// encoded whole, so distinct lock names always get distinct nodes.
/// </summary>
internal static class LockNodeNames
{
    private const string Marker = "-lock-";

    /// <summary>The node name for a lock name.</summary>
    public static string Encode(string lockName)
    {
        if (lockName is "." or "..") return lockName.Replace(".", "%2E", StringComparison.Ordinal);
        StringBuilder? sb = null;
        for (var i = 0; i < lockName.Length; i++)
        {
            var c = lockName[i];
            if (NeedsEncoding(c))
            {
                sb ??= new StringBuilder(lockName.Length + 16).Append(lockName, 0, i);
                // %XX for one byte-sized character, %uXXXX for any other UTF-16 unit (lone surrogates included).
                sb.Append(c <= '\u00ff' ? $"%{(int)c:X2}" : $"%u{(int)c:X4}");
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? lockName;
    }

    private static bool NeedsEncoding(char c)
        => c is '%' or '/' || c <= '\u001f' || c is >= '\u007f' and <= '\u009f' || c is >= '\ud800' and <= '\uf8ff' || c >= '\ufff0';

    /// <summary>The prefix of a queue entry: Curator's "_c_" protected-name form with the handle's GUID, then the marker the sequence follows.</summary>
    public static string EntryPrefix(Guid id) => "_c_" + id.ToString("N") + Marker;

    /// <summary>
    /// The prefix of a semaphore entry: as <see cref="EntryPrefix"/>, with the maxCount its creator uses after the GUID,
    /// so every listing of the line shows each entry's maxCount without reading any data.
    /// </summary>
    public static string SemaphoreEntryPrefix(Guid id, int maxCount)
        => "_c_" + id.ToString("N") + MaxMarker + maxCount.ToString(CultureInfo.InvariantCulture) + Marker;

    private const string MaxMarker = "-max";

    private const string ReadMarker = "-read";

    /// <summary>
    /// The prefix of a reader-writer entry: as <see cref="EntryPrefix"/>, with "-read" or "-write" after the GUID, so every
    /// listing of the line shows each entry's kind without reading any data (Curator's read and write nodes).
    /// </summary>
    public static string ReaderWriterEntryPrefix(Guid id, Stores.LockMode mode)
        => "_c_" + id.ToString("N") + (mode == Stores.LockMode.Read ? ReadMarker : "-write") + Marker;

    /// <summary>The kind of an entry: <see cref="Stores.LockMode.Read"/> for a reader's, <see cref="Stores.LockMode.Write"/> for every other (lock and semaphore entries included).</summary>
    public static Stores.LockMode ModeOf(string child)
    {
        var at = child.LastIndexOf(Marker, StringComparison.Ordinal);
        return at > 0 && child.AsSpan(0, at).EndsWith(ReadMarker, StringComparison.Ordinal) ? Stores.LockMode.Read : Stores.LockMode.Write;
    }

    /// <summary>The kinds of the first <paramref name="count"/> entries of a line, in line order.</summary>
    public static List<Stores.LockMode> Modes(List<string> line, int count) => line.GetRange(0, count).ConvertAll(ModeOf);

    /// <summary>The maxCount a semaphore entry was created with, or null when the name carries none.</summary>
    public static int? MaxCountOf(string child)
    {
        var start = child.IndexOf(MaxMarker, StringComparison.Ordinal);
        var end = child.LastIndexOf(Marker, StringComparison.Ordinal);
        if (start < 0 || end < start) return null;
        start += MaxMarker.Length;
        return int.TryParse(child.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : null;
    }

    /// <summary>The sequence number the server appended to an entry, or null for a node that is not a queue entry.</summary>
    public static int? Sequence(string child)
    {
        var at = child.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return null;
        return int.TryParse(child.AsSpan(at + Marker.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seq) ? seq : null;
    }

    /// <summary>
    /// The queue entries in line order: by sequence number, not by name (children come unordered, and the GUID
    /// prefix would spoil a lexical sort). Other children are ignored.
    /// </summary>
    public static List<string> Queue(IEnumerable<string> children)
    {
        var entries = new List<(int Seq, string Name)>();
        foreach (var child in children)
        {
            if (Sequence(child) is { } seq) entries.Add((seq, child));
        }
        entries.Sort(static (a, b) => a.Seq.CompareTo(b.Seq));
        return entries.ConvertAll(static e => e.Name);
    }
}
