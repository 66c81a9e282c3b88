using System.Text;
using Padlock.Sharding.Directory;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Locks;

namespace Padlock.ZooKeeper.Directory;

/// <summary>
/// The shard directory of a ZooKeeper store (see <see cref="DirectoryNodes"/> for its nodes), over the store's session.
/// A server may answer reads from behind the leader, so every read is preceded by a sync, after which the server has
/// applied every write committed before the read began: the read is linearizable. The map's version is its data
/// version; a write is a create (absent) or a setData naming that version. Registrations are ephemeral nodes.
/// </summary>
internal sealed class ZooKeeperShardDirectory : IShardDirectory
{
    private readonly ZooKeeperLockStore _store;
    private readonly string _map;
    private readonly string _clients;
    private TaskCompletionSource _mapEvent = NewSignal();
    private int _disposed;

    public ZooKeeperShardDirectory(ZooKeeperLockStore store)
    {
        _store = store;
        _map = DirectoryNodes.Map(store.Root);
        _clients = DirectoryNodes.Clients(store.Root);
    }

    public string Description => $"zk://{string.Join(",", _store.Servers)} node {_map}";

    public ValueTask<ShardDirectoryEntry?> ReadMapAsync(CancellationToken cancellationToken)
        => RunAsync<ShardDirectoryEntry?>(async client =>
        {
            await client.SyncAsync(_map, cancellationToken).ConfigureAwait(false);
            try
            {
                var (data, stat) = await client.GetDataAsync(_map, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new ShardDirectoryEntry(Encoding.UTF8.GetString(data), stat.Version);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
            {
                return null;
            }
        }, cancellationToken);

    /// <remarks>
    /// Null: a create, refused when the node exists. Otherwise a setData naming the data version, refused when it
    /// differs (or the node is gone). A request whose answer was lost with the connection fails as unavailable; it may
    /// have been applied, which the caller's next read shows.
    /// </remarks>
    public ValueTask<bool> TryWriteMapAsync(string document, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (expectedVersion is < 0 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "The expected version is a data version read from this directory (0 to int.MaxValue), or null for \"no map yet\".");
        var data = Encoding.UTF8.GetBytes(document);
        return RunAsync(async client =>
        {
            try
            {
                if (expectedVersion is { } v) await client.SetDataAsync(_map, data, (int)v, cancellationToken).ConfigureAwait(false);
                else await CreateAsync(client, _map, data, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.NodeExists or ZooKeeperErrorCode.BadVersion or ZooKeeperErrorCode.NoNode)
            {
                return false;
            }
        }, cancellationToken);
    }

    /// <remarks>
    /// An exists watch on the map node, armed by the read that compares the version. The watch outlives reconnections
    /// (the client sets it again on the new server) and fires, spuriously, when the session ends.
    /// </remarks>
    public async ValueTask WaitForMapChangeAsync(long? knownVersion, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _mapEvent).Task;
        var stat = await RunAsync(client => client.ExistsAsync(_map, OnMapEvent, cancellationToken), cancellationToken).ConfigureAwait(false);
        if ((long?)stat?.Version != knownVersion) return;
        await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // One delegate for every wait of this directory: the client keeps a watcher once per path, so waits that end by
    // cancellation leave nothing behind but this one, which the next event clears.
    private void OnMapEvent(WatchedEvent e) => Interlocked.Exchange(ref _mapEvent, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <remarks>
    /// An ephemeral node in the store's session. When the node exists, it is taken over only when it belongs to this
    /// very session and no live registration of this store holds it (one that was lost while the session survived, or
    /// whose delete failed); otherwise the id is taken.
    /// </remarks>
    public async ValueTask<IShardDirectoryRegistration> RegisterAsync(string clientId, string value, CancellationToken cancellationToken)
    {
        ClientIds.Validate(clientId, nameof(clientId));
        ArgumentNullException.ThrowIfNull(value);
        Check();
        if (!_store.DirectoryRegistrations.TryReserve(clientId, out var previous))
            throw Taken(clientId, "by this same store");
        ZooKeeperDirectoryRegistration? registration = null;
        try
        {
            registration = await RunOnSessionAsync(session => RegisterCoreAsync(session, clientId, Encoding.UTF8.GetBytes(value), cancellationToken), cancellationToken).ConfigureAwait(false);
            return registration;
        }
        finally
        {
            _store.DirectoryRegistrations.Complete(clientId, registration, previous);
        }
    }

    private async Task<ZooKeeperDirectoryRegistration> RegisterCoreAsync(LockSession session, string clientId, byte[] data, CancellationToken ct)
    {
        var path = DirectoryNodes.Client(_store.Root, clientId);
        var client = session.Client;
        try
        {
            await CreateAsync(client, path, data, CreateMode.Ephemeral, ct).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NodeExists)
        {
            var (_, existing) = await client.GetDataAsync(path, cancellationToken: ct).ConfigureAwait(false);
            if (existing.EphemeralOwner != client.SessionId) throw Taken(clientId, $"by session 0x{existing.EphemeralOwner:x}");
            // Ours, and no live registration holds it: take it over, naming its version so a concurrent change is seen.
            await client.SetDataAsync(path, data, existing.Version, ct).ConfigureAwait(false);
        }
        // Read just after a reply, so contact is fresh: the token of holds granted now.
        return new ZooKeeperDirectoryRegistration(_store, session, clientId, path);
    }

    private InvalidOperationException Taken(string clientId, string how)
        => new($"A client is already registered as '{clientId}' in {Description} ({how}); an id is registered once at a time: pick another, or wait for that session to end.");

    public ValueTask<IReadOnlyList<ShardDirectoryClient>> ReadClientsAsync(CancellationToken cancellationToken)
        => RunAsync<IReadOnlyList<ShardDirectoryClient>>(async client =>
        {
            await client.SyncAsync(_clients, cancellationToken).ConfigureAwait(false);
            List<string> children;
            try
            {
                children = await client.GetChildrenAsync(_clients, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
            {
                return [];
            }
            var clients = new List<ShardDirectoryClient>(children.Count);
            foreach (var child in children.Order(StringComparer.Ordinal))
            {
                try
                {
                    var (data, _) = await client.GetDataAsync(ZkPaths.Combine(_clients, child), cancellationToken: cancellationToken).ConfigureAwait(false);
                    clients.Add(new ShardDirectoryClient(child, Encoding.UTF8.GetString(data)));
                }
                catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
                {
                    // Its session ended while we listed.
                }
            }
            return clients;
        }, cancellationToken);

    /// <summary>Creates <paramref name="path"/>, and its missing ancestors (persistent, with the store's ACL) first when needed.</summary>
    private async Task<Stat> CreateAsync(ZooKeeperClient client, string path, byte[] data, CreateMode mode, CancellationToken ct)
    {
        try
        {
            return (await client.Create2Async(path, data, mode, _store.NodeAcl, ct).ConfigureAwait(false)).Stat;
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            // An ancestor is missing: create them, level by level, then the node.
        }
        var ancestor = "";
        foreach (var segment in ZkPaths.Parent(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            ancestor += "/" + segment;
            try
            {
                await client.CreateAsync(ancestor, null, CreateMode.Persistent, _store.NodeAcl, ct).ConfigureAwait(false);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NodeExists)
            {
            }
        }
        return (await client.Create2Async(path, data, mode, _store.NodeAcl, ct).ConfigureAwait(false)).Stat;
    }

    private async ValueTask<T> RunAsync<T>(Func<ZooKeeperClient, Task<T>> operation, CancellationToken ct)
        => await RunOnSessionAsync(session => operation(session.Client), ct).ConfigureAwait(false);

    /// <summary>
    /// Runs <paramref name="operation"/> on the store's session, once more on a new one when it finds the session
    /// expired; "cannot reach the ensemble" leaves as <see cref="Stores.LockStoreUnavailableException"/>.
    /// </summary>
    private async Task<T> RunOnSessionAsync<T>(Func<LockSession, Task<T>> operation, CancellationToken ct)
    {
        Check();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var session = await _store.GetSessionAsync(ct).ConfigureAwait(false);
                return await operation(session).ConfigureAwait(false);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.SessionExpired && attempt == 0 && !_store.IsDisposed)
            {
                // The store opens a new session on the next call.
            }
            catch (Exception ex) when (ZooKeeperUnavailable.Is(ex))
            {
                throw ZooKeeperUnavailable.Wrap(_store.Servers, ex);
            }
        }
    }

    private void Check()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        ObjectDisposedException.ThrowIf(_store.IsDisposed, _store);
    }

    /// <summary>Nothing of its own to close: the session belongs to the store, and registrations end on their own dispose.</summary>
    public ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }
}
