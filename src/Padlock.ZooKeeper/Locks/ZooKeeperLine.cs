using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// The one <see cref="IZooKeeperLine"/> of the ZooKeeper store: the children of <paramref name="parent"/>, through the
/// session's client. A missing parent is created (with its ancestors and the store's ACL) by <paramref name="ensureParent"/>;
/// deletions go through the store's <see cref="EntryDeleter"/>.
/// </summary>
internal sealed class ZooKeeperLine(string parent, EntryDeleter deleter, Func<ZooKeeperClient, string, CancellationToken, Task> ensureParent) : IZooKeeperLine
{
    public string Parent => parent;

    public string PathOf(string leaf) => ZkPaths.Combine(parent, leaf);

    public async Task<(string Leaf, long Czxid, List<string> Children)?> CreateAndListAsync(LockSession session, string prefix, byte[] data, CancellationToken cancellationToken)
    {
        var client = session.Client;
        // The list is sent right behind the create on the same session, which the server processes in order.
        var create = client.Create2Async(PathOf(prefix), data, CreateMode.EphemeralSequential, cancellationToken: cancellationToken);
        var list = ListAsync(session, cancellationToken);
        (string Path, Stat Stat) created;
        try
        {
            created = await create.ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            await Observe(list).ConfigureAwait(false);
            return null;
        }
        catch
        {
            _ = Observe(list);
            throw;
        }
        return (ZkPaths.Leaf(created.Path), created.Stat.Czxid, await list.ConfigureAwait(false));

        static async Task Observe(Task task)
        {
            try { await task.ConfigureAwait(false); }
            catch (Exception) { /* the create's outcome decides what happens next */ }
        }
    }

    public Task EnsureParentAsync(LockSession session, CancellationToken cancellationToken) => ensureParent(session.Client, parent, cancellationToken);

    public async Task<List<string>> ListAsync(LockSession session, CancellationToken cancellationToken)
    {
        try
        {
            return await session.Client.GetChildrenAsync(parent, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return [];
        }
    }

    public async Task<List<string>> WatchChildrenAsync(LockSession session, Action changed, CancellationToken cancellationToken)
    {
        try
        {
            return await session.Client.GetChildrenAsync(parent, _ => changed(), cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return [];
        }
    }

    public Task SyncAsync(LockSession session, CancellationToken cancellationToken) => session.Client.SyncAsync(parent, cancellationToken);

    public Task<Stat?> StatAsync(LockSession session, string leaf, CancellationToken cancellationToken)
        => session.Client.ExistsAsync(PathOf(leaf), cancellationToken: cancellationToken);

    public async Task<bool> WatchAsync(LockSession session, string leaf, Action changed, CancellationToken cancellationToken)
    {
        try
        {
            // getData rather than exists, as Curator does: no watch is left behind on an entry already gone.
            await session.Client.GetDataAsync(PathOf(leaf), _ => changed(), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return false;
        }
    }

    public Task DeleteAsync(LockSession session, string leaf) => deleter.DeleteAsync(session, PathOf(leaf));

    public void DeleteInDoubt(LockSession session, string prefix) => deleter.CleanUpInDoubt(session, parent, prefix);
}
