using Microsoft.Extensions.Logging;
using Padlock.Sharding.Directory;
using Padlock.Stores;

namespace Padlock.Sharding;

/// <summary>
/// A sharded store that follows a shard map kept in a directory (a ZooKeeper or etcd store), so the set of shards can
/// change while clients run, with no window in which two clients hold one name. Built by
/// <see cref="LockProvider.CreateSharded(string, StoreContext?)"/>; changed with <see cref="ShardMapAdmin"/> or
/// <c>padlock shards apply</c>. The protocol, its assumptions and the token layout are in docs/sharding.md.
/// </summary>
/// <remarks>
/// On first use the client registers in the directory, then reads the map, and from then on watches it, reporting in
/// its registration the oldest epoch it may still grant or hold under. While a move is in progress a name that moves is
/// held on its old store first, then on its new one. A client whose registration may have expired (its directory
/// session or lease, by its own clock) grants nothing more until it has registered again, and reports its holds lost:
/// a change does not wait for a client the directory has dropped. Fencing tokens carry the name's placement generation
/// in their high bits (<see cref="ShardTokens"/>), so they rise across a move.
/// </remarks>
public sealed partial class DirectoryShardedLockStore : ILockStore, ILockInspector, ISemaphoreStore, IReaderWriterLockStore
{
    private readonly ILockStore _directoryStore;
    private readonly IShardDirectory _directory;
    private readonly StoreContext _context;
    private readonly ILogger _logger;
    private readonly string _clientIdBase;
    private readonly HeldLeases _holds = new();
    private readonly CancellationTokenSource _closing = new();
    private int _disposed;

    /// <summary>Builds the store over a directory store (which it owns and disposes).</summary>
    /// <param name="directoryStore">A store that keeps shard directories (<c>zk://</c> or <c>etcd://</c>).</param>
    /// <param name="context">Services for the shard stores this client opens.</param>
    /// <exception cref="ArgumentException">The store cannot keep a shard directory: it is not a consensus store.</exception>
    public DirectoryShardedLockStore(ILockStore directoryStore, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(directoryStore);
        if (directoryStore is not IShardDirectoryStore directories)
            throw new ArgumentException(
                $"A {directoryStore.Kind}:// store cannot keep a shard map: the directory must be a consensus store (zk:// or etcd://), whose reads see every completed write and whose registrations expire with their session.",
                nameof(directoryStore));
        _directoryStore = directoryStore;
        _directory = directories.OpenShardDirectory();
        _context = context ?? StoreContext.Default;
        _logger = _context.LoggerFactory.CreateLogger("Padlock.Sharding");
        _clientIdBase = ClientIdBase();
    }

    /// <inheritdoc/>
    public string Kind => "sharded";

    /// <summary>Where the map is kept, for messages.</summary>
    public string DirectoryDescription => _directory.Description;

    /// <summary>The map this client works under now, or null before its first use (for tools and tests).</summary>
    public ShardMap? CurrentMap
    {
        get
        {
            var following = Volatile.Read(ref _following);
            if (following is null) return null;
            lock (_gate) return following.View.Map;
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
        => AcquireAsync(name, wait, static (store, name, _, w) => store.TryAcquireAsync(name, w), 0);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">A shard's store has no semaphores.</exception>
    public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
        => AcquireAsync(name, wait, static (store, name, count, w) => store is ISemaphoreStore s
            ? s.TryAcquireSemaphoreAsync(name, count, w)
            : throw new NotSupportedException($"A {store.Kind}:// shard has no semaphores."), maxCount);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">A shard's store has no reader-writer locks.</exception>
    public ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
        => AcquireAsync(name, wait, static (store, name, m, w) => store is IReaderWriterLockStore rw
            ? rw.TryAcquireReaderWriterAsync(name, (LockMode)m, w)
            : throw new NotSupportedException($"A {store.Kind}:// shard has no reader-writer locks."), (int)mode);

    /// <inheritdoc/>
    /// <remarks>
    /// While the name moves, the old store's view: it is the one every client's hold passes through (a holder that already
    /// switched to the new store's token shows the old store's).
    /// </remarks>
    public async ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        var following = await FollowAsync(cancellationToken).ConfigureAwait(false);
        ShardView view;
        lock (_gate) view = following.View;
        var place = view.Place(name);
        var status = place.First is ILockInspector inspector
            ? await inspector.InspectAsync(name, cancellationToken).ConfigureAwait(false)
            : throw new NotSupportedException($"A {place.First.Kind}:// shard cannot report lock status.");
        // The token as holders see it: packed with the name's generation (ShardTokens).
        return status with { FencingToken = status.FencingToken is { } token ? Packed(place.Generation, token) : null };
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _closing.CancelAsync().ConfigureAwait(false);
        await _holds.CloseAsync().ConfigureAwait(false);
        var following = Interlocked.Exchange(ref _following, null);
        if (following is not null) await StopFollowingAsync(following).ConfigureAwait(false);
        var errors = new List<Exception>();
        foreach (var disposable in (IAsyncDisposable[])[_directory, _directoryStore, .. Stores()])
        {
            try
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        }
        if (errors.Count > 0) throw new AggregateException("Disposing the sharded store failed.", errors);
    }

    private static string ClientIdBase()
    {
        var host = new string([.. Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')]);
        if (host.Length > 100) host = host[..100];
        return $"{(host.Length > 0 ? host : "host")}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    }
}
