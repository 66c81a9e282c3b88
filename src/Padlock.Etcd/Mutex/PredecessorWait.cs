using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// A waiter's place in a line: the line's key range, its own key and that key's create revision, the policy that
/// decides, and (for a semaphore) a check of the values of the keys below ours before we may hold.
/// </summary>
internal readonly record struct LinePlace(ByteString Prefix, ByteString Key, long Mine, LinePolicy Policy, Action<IEnumerable<Mvccpb.KeyValue>>? Check = null);

/// <summary>
/// Waits until the line's <see cref="LinePolicy"/> says we hold, watching only the one key it names (for the lock, the
/// key just below ours; for a semaphore of N, the key N places below ours). Two rules keep the wait
/// from missing its turn. A watch proves nothing about deletions before it starts, and the read that found the key and
/// the watch may be served by different members, lagging by different amounts (a restarted member catches up for
/// seconds): so the watch is trusted only once a read at or after its start revision still showed the key. And a
/// watch can go quiet without failing (its member frozen or cut off): so the line is read again, linearizably, every
/// <see cref="RecheckInterval"/>, whatever the watch says.
/// </summary>
internal static class PredecessorWait
{
    /// <summary>How often a waiter reads the line again: the bound on how late a missed notification is noticed.</summary>
    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>For <see cref="FindBelowAsync"/>: read through the leader (a linearizable read), not a member's own state.</summary>
    private const long Linearizable = long.MaxValue;

    /// <summary>Returns once the policy says we hold. <paramref name="below"/> (when known) is the key to watch, read at revision <paramref name="seen"/>.</summary>
    /// <exception cref="KeyGoneException">Our own key is gone.</exception>
    public static async Task UntilFirstAsync(IEtcdLineHost host, IEtcdLine line, LinePlace place, Mvccpb.KeyValue? below, long seen, CancellationToken ct)
    {
        while (true)
        {
            if (below is null)
            {
                (below, seen) = await FindBelowAsync(line, place, place.Mine, ct).ConfigureAwait(false);
                if (below is null) return;
            }
            // From "now": etcd serves such a watch at once, where one from a past revision waits for its catch-up pass
            // (up to 100 ms). The read that covers it may then have to be repeated; that is the rarer case.
            var watch = line.Watch(below.Key, 0);
            try
            {
                var covered = false;
                var lastCheck = host.Time.GetTimestamp();
                while (true)
                {
                    var due = RecheckInterval - host.Time.GetElapsedTime(lastCheck);
                    await CompletesWithinAsync(covered ? watch.Fired : (Task)watch.Created, due, host.Time, ct).ConfigureAwait(false);
                    if (watch.Fired.IsCompleted)
                    {
                        // Deleted, or the watch cannot tell: read who is below us now (keys below the one we watched may
                        // have gone too, or, when it was not the lowest, still be there).
                        below = null;
                        break;
                    }
                    (Mvccpb.KeyValue? Below, long Revision) now;
                    if (!covered && watch.Created.IsCompleted)
                    {
                        var created = await watch.Created.ConfigureAwait(false);
                        covered = created <= seen;
                        if (covered) continue;
                        // The watch starts after our read: a deletion in between would be missed. Read again, from a member
                        // that is at least as far as the watch's.
                        now = await FindBelowAsync(line, place, created, ct).ConfigureAwait(false);
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
                            // The cluster is out of reach for now; the watch may still answer, and the next check will try again.
                            host.Logger.LogDebug(ex, "Could not re-check the line of {Key}", place.Key.ToStringUtf8());
                            continue;
                        }
                    }
                    if (now.Below is null) return;
                    if (!now.Below.Key.Equals(below.Key) || now.Below.CreateRevision != below.CreateRevision)
                    {
                        (below, seen) = now;
                        break;
                    }
                }
            }
            finally
            {
                line.Cancel(watch);
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
    /// The key the policy says to watch (null: we hold) and the revision read at, from a member that has applied revision
    /// <paramref name="atLeast"/> (<see cref="Linearizable"/>: through the leader). Throws <see cref="KeyGoneException"/>
    /// when our own key is gone (deleted by someone, or its lease ended), since then being lowest would not mean holding the lock.
    /// </summary>
    /// <remarks>
    /// A serializable read (the member's own state, no round of the Raft loop, which under load waits behind disk
    /// writes) is tried first: a member that has applied our key's revision has applied every key created before it,
    /// so a stale view can only show a key below ours that is already gone, never hide one that exists. A member behind
    /// <paramref name="atLeast"/> is asked again linearizably, which needs the leader.
    /// </remarks>
    private static async Task<(Mvccpb.KeyValue? Below, long Revision)> FindBelowAsync(IEtcdLine line, LinePlace place, long atLeast, CancellationToken ct)
    {
        (IReadOnlyList<Mvccpb.KeyValue> Below, Mvccpb.KeyValue? Ours, long Revision)? local = atLeast == Linearizable ? null : await ReadAsync(line, place, serializable: true, ct).ConfigureAwait(false);
        var read = local is { } near && near.Revision >= atLeast ? near : await ReadAsync(line, place, serializable: false, ct).ConfigureAwait(false);
        if (read.Ours is not { } ours || ours.CreateRevision != place.Mine) throw new KeyGoneException();
        // The nearest keys below ours, newest first, as many as may hold at once: our index within that window decides.
        var below = read.Below;
        var decision = LineWindow.Decide(place.Policy, below.Count);
        if (decision.Holds) place.Check?.Invoke(below);
        return (decision.Holds ? null : below[below.Count - 1 - decision.WatchIndex], read.Revision);
    }

    private static Task<(IReadOnlyList<Mvccpb.KeyValue> Below, Mvccpb.KeyValue? Ours, long Revision)> ReadAsync(IEtcdLine line, LinePlace place, bool serializable, CancellationToken ct)
        => line.ReadBelowAsync(place.Prefix, place.Key, place.Mine, LineWindow.Size(place.Policy), place.Check is null, serializable, ct);
}

/// <summary>Our key vanished while we waited: queue again with a new one.</summary>
internal sealed class KeyGoneException : Exception;
