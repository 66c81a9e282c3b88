using System.Security.Cryptography;
using System.Text;

namespace Padlock.FileSystem;

/// <summary>
/// Maps any lock name to a safe file name, injectively: letters, digits, '-' and '_' stay, every other UTF-8 byte
/// becomes %XX. Names whose encoding would pass file-system limits keep a readable prefix plus a SHA-256 of the name.
/// </summary>
internal static class LockFileNames
{
    private const int MaxEncodedLength = 180; // well under the usual 255-byte limit, leaving room for the suffix

    internal static string For(string name) => Encode(name) + ".lock";

    /// <summary>A semaphore's counter file; its slot files add "-0", "-1", ... (never a ".lock" name).</summary>
    internal static string ForSemaphore(string name) => Encode(name) + ".sem";

    /// <summary>A reader-writer lock's main file; its intent and token files add "-intent" and "-token" (never a ".lock" or ".sem" name).</summary>
    internal static string ForReaderWriter(string name) => Encode(name) + ".rw";

    /// <summary>An election's lock file; its leader record adds "-leader" (never a ".lock", ".sem" or ".rw" name).</summary>
    internal static string ForElection(string name) => Encode(name) + ".el";

    private static string Encode(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (sb.Length > MaxEncodedLength)
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
            sb.Length = 100;
            sb.Append('~').Append(hash);
        }
        return sb.ToString();
    }
}
