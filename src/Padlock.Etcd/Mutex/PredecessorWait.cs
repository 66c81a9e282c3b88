using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Watching;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// A waiter's place in a line: the line's key range, its own key and that key's create revision, the policy that
/// decides, and (for a semaphore) a check of the values of the keys below ours before we may hold.
/// </summary>
internal readonly record struct LinePlace(ByteString Prefix, ByteString Key, long Mine, LinePolicy Policy, Action<IEnumerable<Mvccpb.KeyValue>>? Check = null);

/// <summary>
/// What a waiter watches until it looks again: the keys the policy names (for the lock, the key just below ours; for a
/// semaphore of N, the N keys nearest below ours), or, for a semaphore past <see cref="LinePolicy.WatchCap"/> permits,
/// the line's whole range.
/// </summary>
internal sealed record Watched(IReadOnlyList<Mvccpb.KeyValue> Keys, bool WholeLine)
{
    /// <summary>True when <paramref name="other"/> watches the same thing: the whole line, or the same keys (by key and create revision).</summary>
    public bool SameAs(Watched other)
        => WholeLine
            ? other.WholeLine
            : !other.WholeLine && Keys.Count == other.Keys.Count && Keys.Zip(other.Keys).All(p => p.First.Key.Equals(p.Second.Key) && p.First.CreateRevision == p.Second.CreateRevision);
}

/// <summary>
/// Waits until the line's <see cref="LinePolicy"/> says we hold, watching what it names (<see cref="Watched"/>): one key
/// for the lock and a reader-writer entry (no herd); for a semaphore of N, the N keys nearest below ours, all watched at
/// once, since a holder may release out of line order and the count below ours drops under N only when one of those goes;
/// past <see cref="LinePolicy.WatchCap"/> permits, the line's range (any deletion wakes the waiter to read again).
/// Two rules keep the wait from missing its turn. A watch proves nothing about deletions before it starts, and the read
/// that found the keys and the watches may be served by different members, lagging by different amounts (a restarted
/// member catches up for seconds): so the watches are trusted only once a read at or after the latest of their start
/// revisions still showed the same keys (for the range: still said wait). And a watch can go quiet without failing (its
/// member frozen or cut off): so the line is read again, linearizably, every <see cref="IEtcdLineHost.RecheckInterval"/>,
/// whatever the watches say.
/// </summary>
internal static class PredecessorWait
{
    /// <summary>How often a waiter reads the line again: the bound on how late a missed notification is noticed (the default of <see cref="IEtcdLineHost.RecheckInterval"/>).</summary>
    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>For <see cref="FindBelowAsync"/>: read through the leader (a linearizable read), not a member's own state.</summary>
    private const long Linearizable = long.MaxValue;

    /// <summary>Returns once the policy says we hold. <paramref name="below"/> (when known) is the one key to watch, read at revision <paramref name="seen"/>.</summary>
    /// <exception cref="KeyGoneException">Our own key is gone.</exception>
    public static async Task UntilFirstAsync(IEtcdLineHost host, IEtcdLine line, LinePlace place, Mvccpb.KeyValue? below, long seen, CancellationToken ct)
    {
        var target = below is null ? null : new Watched([below], false);
        while (true)
        {
            if (target is null)
            {
                (target, seen) = await FindBelowAsync(line, place, place.Mine, ct).ConfigureAwait(false);
                if (target is null) return;
            }
            // From "now": etcd serves such a watch at once, where one from a past revision waits for its catch-up pass
            // (up to 100 ms). The read that covers them may then have to be repeated; that is the rarer case. The creates
            // all go out on the store's one watch stream without waiting for each other's answers.
            List<KeyWatch> watches = target.WholeLine ? [line.WatchRange(place.Prefix, 0)] : [.. target.Keys.Select(kv => line.Watch(kv.Key, 0))];
            try
            {
                var fired = Task.WhenAny(watches.Select(w => w.Fired));
                var created = Task.WhenAll(watches.Select(w => w.Created));
                var covered = false;
                var lastCheck = host.Time.GetTimestamp();
                while (true)
                {
                    var due = host.RecheckInterval - host.Time.GetElapsedTime(lastCheck);
                    await CompletesWithinAsync(covered ? fired : created, due, host.Time, ct).ConfigureAwait(false);
                    if (fired.IsCompleted)
                    {
                        // A deletion, or a watch that cannot tell: read who is below us now (other keys may have gone
                        // too, or still be there).
                        target = null;
                        break;
                    }
                    (Watched? Target, long Revision) now;
                    if (!covered && created.IsCompleted)
                    {
                        var start = (await created.ConfigureAwait(false)).Max();
                        covered = start <= seen;
                        if (covered) continue;
                        // A watch starts after our read: a deletion in between would be missed. Read again, from a member
                        // that is at least as far as the latest watch's.
                        now = await FindBelowAsync(line, place, start, ct).ConfigureAwait(false);
                        covered = true;
                    }
                    else
                    {
                        lastCheck = host.Time.GetTimestamp();
                        try
                        {
                            now = await FindBelowAsync(line, place, Linearizable, ct).ConfigureAwait(false);
                        }
                        catch (EtcdUnavailableException ex)
                        {
                            // The cluster is out of reach for now; the watches may still answer, and the next check will try again.
                            host.Logger.LogDebug(ex, "Could not re-check the line of {Key}", place.Key.ToStringUtf8());
                            continue;
                        }
                    }
                    if (now.Target is null) return;
                    if (!now.Target.SameAs(target))
                    {
                        (target, seen) = now;
                        break;
                    }
                }
            }
            finally
            {
                foreach (var watch in watches) line.Cancel(watch);
            }
        }
    }

    private static async Task CompletesWithinAsync(Task task, TimeSpan due, TimeProvider time, CancellationToken ct)
    {
        if (due <= TimeSpan.Zero) return;
        try
        {
            await task.WaitAsync(due, time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // time for the periodic re-check
        }
    }

    /// <summary>
    /// What the policy says to watch (null: we hold) and the revision read at, from a member that has applied revision
    /// <paramref name="atLeast"/> (<see cref="Linearizable"/>: through the leader). Throws <see cref="KeyGoneException"/>
    /// when our own key is gone (deleted by someone, or its lease ended), since then being lowest would not mean holding the lock.
    /// </summary>
    /// <remarks>
    /// A serializable read (the member's own state, no round of the Raft loop, which under load waits behind disk
    /// writes) is tried first: a member that has applied our key's revision has applied every key created before it,
    /// so a stale view can only show a key below ours that is already gone, never hide one that exists. A member behind
    /// <paramref name="atLeast"/> is asked again linearizably, which needs the leader.
    /// </remarks>
    private static async Task<(Watched? Target, long Revision)> FindBelowAsync(IEtcdLine line, LinePlace place, long atLeast, CancellationToken ct)
    {
        (IReadOnlyList<Mvccpb.KeyValue> Below, Mvccpb.KeyValue? Ours, long Revision)? local = atLeast == Linearizable ? null : await ReadAsync(line, place, serializable: true, ct).ConfigureAwait(false);
        var read = local is { } near && near.Revision >= atLeast ? near : await ReadAsync(line, place, serializable: false, ct).ConfigureAwait(false);
        if (read.Ours is not { } ours || ours.CreateRevision != place.Mine) throw new KeyGoneException();
        // The nearest keys below ours, newest first, as many as may hold at once: our index within that window decides.
        var below = read.Below;
        var decision = LineWindow.Decide(place.Policy, below.Count);
        if (decision.Holds)
        {
            place.Check?.Invoke(below);
            return (null, read.Revision);
        }
        if (decision.WatchesLine) return (new Watched([], true), read.Revision);
        // Indexes are in ascending order; the window is newest first.
        var watched = Enumerable.Range(decision.WatchIndex, decision.WatchCount).Select(i => below[below.Count - 1 - i]).ToList();
        return (new Watched(watched, false), read.Revision);
    }

    private static Task<(IReadOnlyList<Mvccpb.KeyValue> Below, Mvccpb.KeyValue? Ours, long Revision)> ReadAsync(IEtcdLine line, LinePlace place, bool serializable, CancellationToken ct)
        => line.ReadBelowAsync(place.Prefix, place.Key, place.Mine, LineWindow.Size(place.Policy), place.Check is null, serializable, ct);
}

/// <summary>Our key vanished while we waited: queue again with a new one.</summary>
internal sealed class KeyGoneException : Exception;
