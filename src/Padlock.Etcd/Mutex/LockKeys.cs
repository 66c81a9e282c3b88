using System.Globalization;
using System.Text;
using Google.Protobuf;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// Where a lock's keys live: <c>PREFIX/NAME/LEASE-N</c>, with the name escaped so that it holds no '/'. Without the
/// escape, lock "a" (keys under "PREFIX/a/") would see the keys of lock "a/b" as its own waiters.
/// </summary>
internal static class LockKeys
{
    /// <summary>The prefix shared by every key of lock <paramref name="name"/>, ending in '/'.</summary>
    public static ByteString PrefixOf(string prefix, string name)
        => ByteString.CopyFromUtf8(prefix + "/" + name.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal) + "/");

    /// <summary>The end of the key range of <paramref name="lockPrefix"/>: the prefix with its last byte ('/') raised by one.</summary>
    public static ByteString RangeEnd(ByteString lockPrefix)
    {
        var bytes = lockPrefix.ToByteArray();
        bytes[^1]++;
        return ByteString.CopyFrom(bytes);
    }

    /// <summary>
    /// One waiter's or holder's key. The lease id says whose it is (as etcd's own recipe does); the number makes two
    /// handles of one provider on one name distinct, since they share the provider's lease.
    /// </summary>
    public static ByteString KeyOf(ByteString lockPrefix, long leaseId, long number)
    {
        var suffix = Encoding.UTF8.GetBytes(leaseId.ToString("x", CultureInfo.InvariantCulture) + "-" + number.ToString("x", CultureInfo.InvariantCulture));
        var bytes = new byte[lockPrefix.Length + suffix.Length];
        lockPrefix.Span.CopyTo(bytes);
        suffix.CopyTo(bytes.AsSpan(lockPrefix.Length));
        return ByteString.CopyFrom(bytes);
    }
}
