using Google.Protobuf;

namespace Padlock.Etcd.Session;

/// <summary>
/// Which key numbers of one session are in use, per lock. A provider's locks reuse the same few key names (number 0
/// unless two handles of the provider want the same lock at once) rather than a new name per acquire: etcd keeps every
/// key name ever written in its in-memory index until compaction, and a lock's range reads walk all of them, so fresh
/// names on every acquire would make each acquire slower than the last.
/// </summary>
internal sealed class KeySlots
{
    private readonly Dictionary<ByteString, List<bool>> _used = [];

    /// <summary>The lowest free number for the lock with key prefix <paramref name="lockPrefix"/>, now taken.</summary>
    public int Take(ByteString lockPrefix)
    {
        lock (_used)
        {
            if (!_used.TryGetValue(lockPrefix, out var slots)) _used[lockPrefix] = slots = [];
            var free = slots.IndexOf(false);
            if (free < 0)
            {
                slots.Add(true);
                return slots.Count - 1;
            }
            slots[free] = true;
            return free;
        }
    }

    /// <summary>
    /// Frees a number once its key is known to be gone from etcd: a number whose delete has not succeeded stays taken,
    /// so a retried delete can never remove a later hold's key of the same name.
    /// </summary>
    public void Free(ByteString lockPrefix, int slot)
    {
        lock (_used)
        {
            if (!_used.TryGetValue(lockPrefix, out var slots)) return;
            slots[slot] = false;
            if (slots.TrueForAll(s => !s)) _used.Remove(lockPrefix);
        }
    }
}
