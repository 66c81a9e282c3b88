using System.Globalization;
using Google.Protobuf;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// One line of the shared recipe (<see cref="EtcdMutex"/>): the key range the policy looks at, the policy that decides,
/// the value our key carries, a check of the keys below ours run before we hold (it throws to refuse; the acquire then
/// deletes our key), and where our own key goes when not in that range. Each primitive is one of the factories below:
/// a configuration of the one recipe, not a copy of it.
/// </summary>
internal sealed record LineSpec(ByteString Prefix, LinePolicy Policy, ByteString Value, Action<IEnumerable<Mvccpb.KeyValue>>? Check, ByteString? KeyPrefix = null)
{
    /// <summary>Where our key goes: <see cref="KeyPrefix"/>, or the line's own range.</summary>
    public ByteString OwnPrefix => KeyPrefix ?? Prefix;

    /// <summary>The exclusive lock <paramref name="name"/> at <c>PREFIX/#/NAME/</c> (etcd's own lock, v3): the lowest key holds, others watch the key just below theirs.</summary>
    public static LineSpec Lock(string prefix, ByteString owner, string name)
        => new(LockKeys.PrefixOf(prefix, name), LinePolicy.Exclusive, owner, null);

    /// <summary>
    /// The counting semaphore at <c>PREFIX/#s/NAME/</c> under <see cref="LinePolicy.Semaphore"/>. Each key's value is
    /// "MAXCOUNT OWNER", so a contender that would hold reads the maxCount of every key below its own (all of them fit in
    /// the window it reads) and refuses a line in use with another.
    /// </summary>
    public static LineSpec Semaphore(string prefix, ByteString owner, string name, int maxCount)
    {
        var policy = LinePolicy.Semaphore(maxCount);
        var value = ByteString.CopyFromUtf8(maxCount.ToString(CultureInfo.InvariantCulture) + " " + owner.ToStringUtf8());
        return new LineSpec(LockKeys.SemaphorePrefixOf(prefix, name), policy, value, below =>
        {
            foreach (var kv in below)
            {
                if (MaxCountOf(kv.Value) is { } other && other != maxCount) throw new SemaphoreCountMismatchException(name, maxCount, other);
            }
        });
    }

    /// <summary>The maxCount a semaphore key's value records, or null when it records none.</summary>
    internal static int? MaxCountOf(ByteString value)
    {
        var text = value.ToStringUtf8();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return int.TryParse(space < 0 ? text : text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : null;
    }

    /// <summary>
    /// The reader-writer lock: one line at <c>PREFIX/#rw/NAME/</c> in create-revision order, readers' keys under <c>r/</c>
    /// and writers' under <c>w/</c> (etcd's experimental rwmutex.go, with cancellation, the own-key check after each wait
    /// and the revision-guarded release of the lock's recipe). A writer is the lock over the whole line: it holds when no
    /// key is below its own and watches the key just below. A reader looks at the write keys only: it holds when none is
    /// below its own and watches the nearest one, so a queued writer blocks later readers and readers ahead of it share.
    /// </summary>
    public static LineSpec ReaderWriter(string prefix, ByteString owner, string name, LockMode mode)
    {
        var policy = LinePolicy.ReaderWriter(mode);
        var line = LockKeys.ReaderWriterPrefixOf(prefix, name);
        var writers = LockKeys.Under(line, "w");
        return mode == LockMode.Write
            ? new LineSpec(line, policy, owner, null, writers)
            : new LineSpec(writers, policy, owner, null, LockKeys.Under(line, "r"));
    }

    /// <summary>A campaign for election <paramref name="name"/>: the exclusive line at <c>PREFIX/#el/NAME/</c>, our key's value the campaign's (<see cref="EtcdElection"/>).</summary>
    public static LineSpec Election(string prefix, string name, string value)
        => new(LockKeys.ElectionPrefixOf(prefix, name), LinePolicy.Exclusive, ByteString.CopyFromUtf8(value), null);
}

/// <summary>How the etcd recipe asks a <see cref="LinePolicy"/>: from a window of the keys just below ours.</summary>
internal static class LineWindow
{
    /// <summary>How many keys below ours the decision needs: the permits of a counting policy; one for a reader, whose range holds only write keys, so the nearest key below is the nearest writer.</summary>
    public static int Size(LinePolicy policy) => policy.IsShared ? 1 : policy.Permits;

    /// <summary>The decision from the window of keys below ours, given newest first (as read); the watch index is into that ascending order.</summary>
    public static LineDecision Decide(LinePolicy policy, int count)
        // A reader's range is the write keys: every key in it is of kind Write.
        => policy.IsShared ? policy.Decide(Enumerable.Repeat(LockMode.Write, count).ToList()) : policy.Decide(count);
}
