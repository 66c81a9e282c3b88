using System.Globalization;
using System.Text;
using Google.Protobuf;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// Where a lock's keys live: <c>PREFIX/#/NAME/LEASE[-N]</c>. The key ranges of two different (prefix, name) pairs never
/// overlap: a prefix holds no '#' (checked when the store is built), so the first '#' of a key ends its prefix; the
/// name is escaped to hold no '/', so the next '/' ends the name. One lock's range therefore never covers another's,
/// whatever the nesting: lock "x" under "ns" (<c>ns/#/x/</c>) and lock "y" under "ns/x" (<c>ns/x/#/y/</c>) stay apart.
/// </summary>
internal static class LockKeys
{
    /// <summary>The character that ends the prefix in every key, and which prefixes therefore may not contain.</summary>
    public const char Marker = '#';

    /// <summary>The prefix shared by every key of lock <paramref name="name"/>, ending in '/'.</summary>
    public static ByteString PrefixOf(string prefix, string name)
        => ByteString.CopyFromUtf8(prefix + "/" + Marker + "/" + Escape(name) + "/");

    /// <summary>
    /// The prefix of every key of semaphore <paramref name="name"/>: <c>PREFIX/#s/NAME/</c>, apart from every lock's range
    /// (<c>PREFIX/#/</c>) by the same argument as above, so a lock and a semaphore of one name never share a line.
    /// </summary>
    public static ByteString SemaphorePrefixOf(string prefix, string name)
        => ByteString.CopyFromUtf8(prefix + "/" + Marker + "s/" + Escape(name) + "/");

    /// <summary>
    /// The prefix of every key of reader-writer lock <paramref name="name"/>: <c>PREFIX/#rw/NAME/</c>, apart from locks and
    /// semaphores by the same argument; readers' keys are under its <c>r/</c>, writers' under its <c>w/</c>.
    /// </summary>
    public static ByteString ReaderWriterPrefixOf(string prefix, string name)
        => ByteString.CopyFromUtf8(prefix + "/" + Marker + "rw/" + Escape(name) + "/");

    /// <summary>
    /// The prefix of every key of election <paramref name="name"/>: <c>PREFIX/#el/NAME/</c>, apart from locks, semaphores
    /// and reader-writer locks by the same argument.
    /// </summary>
    public static ByteString ElectionPrefixOf(string prefix, string name)
        => ByteString.CopyFromUtf8(prefix + "/" + Marker + "el/" + Escape(name) + "/");

    /// <summary><paramref name="lockPrefix"/> (ending in '/') followed by <paramref name="part"/> and '/'.</summary>
    public static ByteString Under(ByteString lockPrefix, string part) => ByteString.CopyFromUtf8(lockPrefix.ToStringUtf8() + part + "/");

    private static string Escape(string name) => name.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal);

    /// <summary>The end of the key range of <paramref name="lockPrefix"/>: the prefix with its last byte ('/') raised by one.</summary>
    public static ByteString RangeEnd(ByteString lockPrefix)
    {
        var bytes = lockPrefix.ToByteArray();
        bytes[^1]++;
        return ByteString.CopyFrom(bytes);
    }

    /// <summary>
    /// One waiter's or holder's key. The lease id says whose it is (as etcd's own recipe does); a number after it, when
    /// not 0, makes two handles of one provider on one name distinct, since they share the provider's lease.
    /// </summary>
    public static ByteString KeyOf(ByteString lockPrefix, long leaseId, int number)
    {
        var id = leaseId.ToString("x", CultureInfo.InvariantCulture);
        var suffix = Encoding.UTF8.GetBytes(number == 0 ? id : id + "-" + number.ToString(CultureInfo.InvariantCulture));
        var bytes = new byte[lockPrefix.Length + suffix.Length];
        lockPrefix.Span.CopyTo(bytes);
        suffix.CopyTo(bytes.AsSpan(lockPrefix.Length));
        return ByteString.CopyFrom(bytes);
    }
}
