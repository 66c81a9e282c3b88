using System.Globalization;
using Google.Protobuf;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// The counting semaphore: the lock's line under <see cref="LinePolicy.Semaphore"/>, at <c>PREFIX/#s/NAME/</c>. Each
/// key's value is "MAXCOUNT OWNER", so a contender that would hold reads the maxCount of every key below its own (all
/// of them fit in the window it reads) and refuses a line in use with another.
/// </summary>
internal static class EtcdSemaphore
{
    public static ValueTask<StoreLease?> TryAcquireAsync(EtcdLockStore store, string name, int maxCount, LockWait wait)
    {
        var policy = LinePolicy.Semaphore(maxCount);
        var value = ByteString.CopyFromUtf8(maxCount.ToString(CultureInfo.InvariantCulture) + " " + store.OwnerValue.ToStringUtf8());
        var line = new LineSpec(LockKeys.SemaphorePrefixOf(store.Prefix, name), policy, value, below =>
        {
            foreach (var kv in below)
            {
                if (MaxCountOf(kv.Value) is { } other && other != maxCount) throw new SemaphoreCountMismatchException(name, maxCount, other);
            }
        });
        return EtcdMutex.TryAcquireAsync(store, line, name, wait);
    }

    /// <summary>The maxCount a semaphore key's value records, or null when it records none.</summary>
    internal static int? MaxCountOf(ByteString value)
    {
        var text = value.ToStringUtf8();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return int.TryParse(space < 0 ? text : text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : null;
    }
}
