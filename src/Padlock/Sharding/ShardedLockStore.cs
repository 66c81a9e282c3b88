using Padlock.Stores;

namespace Padlock.Sharding;

/// <summary>
/// Spreads lock names over several stores, each name always on the same one: the way to grow past what one ZooKeeper
/// ensemble or etcd cluster can serve, since adding members to a consensus cluster does not add lock throughput.
/// Every process must be given the same shard ids (the order does not matter); built from URIs, the ids are the stores'
/// canonical identities (<see cref="Stores.StoreIdentity"/>), so spelling differences do not move names. Each name's fencing tokens come from
/// its one shard, so they keep that store's guarantee. Changing the shard set moves some names to another shard:
/// drain the locks (stop the holders) before adding or removing a shard, or a holder on the old shard and one on the
/// new could overlap.
/// </summary>
public sealed class ShardedLockStore : ILockStore, ILockInspector, ISemaphoreStore, IReaderWriterLockStore, IPrimitiveInspector
{
    private readonly ILockStore[] _shards;
    private readonly string[] _ids;

    /// <summary>Builds a sharded store.</summary>
    /// <param name="shards">The stores and the ids that place names on them (for URIs, the URI itself). The store owns and disposes them.</param>
    /// <exception cref="ArgumentException">No shards, an empty or repeated id, or a null store.</exception>
    public ShardedLockStore(IEnumerable<KeyValuePair<string, ILockStore>> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var list = shards.ToList();
        if (list.Count == 0)
            throw new ArgumentException("A sharded store needs at least one shard.", nameof(shards));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, store) in list)
        {
            if (string.IsNullOrWhiteSpace(id))
                throw new ArgumentException("Every shard needs a non-empty id (for URIs, the URI itself).", nameof(shards));
            if (store is null)
                throw new ArgumentException($"Shard '{id}' has no store.", nameof(shards));
            if (!seen.Add(id))
                throw new ArgumentException($"Shard '{id}' is listed twice; each store may appear once.", nameof(shards));
        }
        _ids = [.. list.Select(p => p.Key)];
        _shards = [.. list.Select(p => p.Value)];
        Kind = "sharded-" + string.Join("+", _shards.Select(s => s.Kind).Distinct());
    }

    /// <inheritdoc/>
    public string Kind { get; }

    /// <summary>The shard ids, in the order given.</summary>
    public IReadOnlyList<string> ShardIds => _ids;

    /// <summary>The id of the shard that holds <paramref name="name"/>.</summary>
    public string ShardFor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _ids[RendezvousHash.Pick(_ids, name)];
    }

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
        => StoreFor(name).TryAcquireAsync(name, wait);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The shard that owns the name has no semaphores.</exception>
    public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
        => StoreFor(name) is ISemaphoreStore semaphores
            ? semaphores.TryAcquireSemaphoreAsync(name, maxCount, wait)
            : throw new NotSupportedException($"The {StoreFor(name).Kind}:// store behind shard '{ShardFor(name)}' has no semaphores.");

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The shard that owns the name has no reader-writer locks.</exception>
    public ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
        => StoreFor(name) is IReaderWriterLockStore rw
            ? rw.TryAcquireReaderWriterAsync(name, mode, wait)
            : throw new NotSupportedException($"The {StoreFor(name).Kind}:// store behind shard '{ShardFor(name)}' has no reader-writer locks.");

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The shard that holds the name cannot report who holds a lock.</exception>
    public ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
        => StoreFor(name) is ILockInspector inspector
            ? inspector.InspectAsync(name, cancellationToken)
            : throw new NotSupportedException($"The {StoreFor(name).Kind}:// store behind shard '{ShardFor(name)}' cannot report lock status.");

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The shard that holds the name cannot report who holds a semaphore.</exception>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
        => PrimitiveInspectorFor(name).InspectSemaphoreAsync(name, maxCount, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The shard that holds the name cannot report who holds a reader-writer lock.</exception>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
        => PrimitiveInspectorFor(name).InspectReaderWriterAsync(name, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Always: a sharded store has no elections.</exception>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("A sharded store has no elections; inspect the election on the store it runs on.");

    private IPrimitiveInspector PrimitiveInspectorFor(string name)
        => StoreFor(name) as IPrimitiveInspector
            ?? throw new NotSupportedException($"The {StoreFor(name).Kind}:// store behind shard '{ShardFor(name)}' cannot report who holds or waits for its primitives.");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        List<Exception>? errors = null;
        foreach (var shard in _shards)
        {
            try
            {
                await shard.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }
        if (errors is not null) throw new AggregateException("Disposing the shards failed.", errors);
    }

    internal ILockStore StoreFor(string name) => _shards[RendezvousHash.Pick(_ids, name)];
}
