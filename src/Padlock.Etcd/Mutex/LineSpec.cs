using Google.Protobuf;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// One line of the shared recipe: the key range the policy looks at, the policy that decides, the value our key
/// carries, a check of the keys below ours run before we hold (it throws to refuse; the acquire then deletes our key),
/// and where our own key goes when not in that range (a reader-writer lock: a reader's key lives under <c>r/</c> but it
/// looks only at the write keys, <c>w/</c>, as etcd's own rwmutex.go does).
/// </summary>
internal sealed record LineSpec(ByteString Prefix, LinePolicy Policy, ByteString Value, Action<IEnumerable<Mvccpb.KeyValue>>? Check, ByteString? KeyPrefix = null)
{
    /// <summary>Where our key goes: <see cref="KeyPrefix"/>, or the line's own range.</summary>
    public ByteString OwnPrefix => KeyPrefix ?? Prefix;
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
