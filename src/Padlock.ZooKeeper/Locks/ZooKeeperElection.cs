using System.Runtime.CompilerServices;
using System.Text;
using Padlock.Stores;
using Padlock.ZooKeeper.Client;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// Leader election on the exclusive line (Curator's LeaderLatch shape): a campaign is the lock's acquisition under
/// <c>ROOT/%el/NAME</c> whose entry carries the value as its data, so the leader is the lowest entry and its term the
/// entry's czxid. A proclaim is a setData on our own entry guarded by the data version we last wrote. Observers list the
/// line and read the head's data with a child watch on the line and a data watch on the head, and read again whenever
/// either fires (or after <see cref="RecheckInterval"/>, in case a watch was lost in a failover).
/// </summary>
internal static class ZooKeeperElection
{
    /// <summary>How often an observer reads the line even without a watch event.</summary>
    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    public static async Task ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        var lease = (ZooKeeperLease)leadership;
        try
        {
            var stat = await lease.Session.Client.SetDataAsync(lease.Path, Encoding.UTF8.GetBytes(value), lease.DataVersion, cancellationToken).ConfigureAwait(false);
            lease.DataVersion = stat.Version;
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.NoNode or ZooKeeperErrorCode.BadVersion or ZooKeeperErrorCode.SessionExpired)
        {
            // Our entry is gone, or someone else wrote it: we cannot be sure we lead, so we do not.
            lease.MarkLost();
            throw new InvalidOperationException($"The leadership of election '{name}' (term {lease.FencingToken}) is no longer held ({ex.Code}); nothing was proclaimed.", ex);
        }
    }

    /// <summary>The leader now: the data and czxid of the lowest entry, or null for an empty (or missing) line.</summary>
    public static async Task<LeaderInfo?> GetLeaderAsync(IZooKeeperLineHost store, string parent, CancellationToken cancellationToken)
    {
        var session = await store.GetSessionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(session.Client, parent, null, cancellationToken).ConfigureAwait(false);
    }

    public static async IAsyncEnumerable<LeaderInfo?> ObserveAsync(IZooKeeperLineHost store, string parent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // One delegate for every watch of this observer: the client keeps a watcher once per path however often it is armed.
        void Watcher(Client.Protocol.WatchedEvent _) => Volatile.Read(ref changed).TrySetResult();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Volatile.Write(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var (read, info, closed) = await TryReadAsync(store, parent, Watcher, cancellationToken).ConfigureAwait(false);
            if (closed) yield break;
            if (read) yield return info;
            await Task.WhenAny(Volatile.Read(ref changed).Task, Task.Delay(RecheckInterval, store.Time, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>One read for an observer; not read (after waiting for a reconnect where that helps) when the ensemble could not answer; closed once the store is disposed.</summary>
    private static async Task<(bool Read, LeaderInfo? Info, bool Closed)> TryReadAsync(IZooKeeperLineHost store, string parent, Action<Client.Protocol.WatchedEvent> watcher, CancellationToken cancellationToken)
    {
        LockSession? session = null;
        try
        {
            session = await store.GetSessionAsync(cancellationToken).ConfigureAwait(false);
            return (true, await ReadAsync(session.Client, parent, watcher, cancellationToken).ConfigureAwait(false), false);
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.ConnectionLoss or ZooKeeperErrorCode.RequestTimeout)
        {
            if (session is not null) await session.Client.WaitConnectedAsync(RecheckInterval, cancellationToken).ConfigureAwait(false);
            return (false, null, false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.SessionExpired)
        {
            // The next read asks the store for its new session.
            return (false, null, false);
        }
        catch (Exception ex) when (ex is LockStoreUnavailableException)
        {
            return (false, null, false);
        }
        catch (ObjectDisposedException)
        {
            // The store (the provider) was disposed: the observation ends.
            return (false, null, true);
        }
    }

    private static async Task<LeaderInfo?> ReadAsync(ZooKeeperClient client, string parent, Action<Client.Protocol.WatchedEvent>? watcher, CancellationToken cancellationToken)
    {
        List<string> children;
        try
        {
            children = await client.GetChildrenAsync(parent, watcher, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            // No line yet (or its container was removed): an exists watch fires when it is created.
            // Created between the two requests: wake the observer at once to read it.
            if (watcher is not null && await client.ExistsAsync(parent, watcher, cancellationToken).ConfigureAwait(false) is not null) watcher(null!);
            return null;
        }
        foreach (var entry in LockNodeNames.Queue(children))
        {
            try
            {
                var (data, stat) = await client.GetDataAsync(ZkPaths.Combine(parent, entry), watcher, cancellationToken).ConfigureAwait(false);
                return new LeaderInfo(Encoding.UTF8.GetString(data), stat.Czxid);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
            {
                // The head left while we looked: the next entry leads now (its removal is also in the child watch).
            }
        }
        return null;
    }
}
