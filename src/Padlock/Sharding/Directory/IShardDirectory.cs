namespace Padlock.Sharding.Directory;

/// <summary>
/// A place in a consensus store (ZooKeeper or etcd) that keeps one shard map and the list of clients following it: what
/// <c>LockProvider.CreateSharded(directoryUri)</c> reads and watches, and what a map change writes. A
/// store offers one through <see cref="IShardDirectoryStore"/>. Every read is linearizable (it sees every write that
/// completed before it began): the online change of the shard set is only safe on that guarantee.
/// </summary>
public interface IShardDirectory : IAsyncDisposable
{
    /// <summary>Where the directory lives (endpoints and key, no secrets), for messages and <c>padlock shards</c>.</summary>
    string Description { get; }

    /// <summary>Reads the map document and its version, or null when no map was written yet. Linearizable.</summary>
    /// <exception cref="Stores.LockStoreUnavailableException">The store cannot be reached within its timeouts.</exception>
    ValueTask<ShardDirectoryEntry?> ReadMapAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes the map document only if the stored one still has <paramref name="expectedVersion"/> (null: only if no map
    /// exists yet), in one atomic compare-and-set.
    /// </summary>
    /// <returns>True when written; false when the map changed (or appeared) meanwhile, and nothing was written.</returns>
    ValueTask<bool> TryWriteMapAsync(string document, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the map may no longer have <paramref name="knownVersion"/> (null: no map): written, replaced or
    /// deleted. May complete spuriously (the caller reads again); ends with <see cref="OperationCanceledException"/> when
    /// the token fires. A caller that stops hearing from the store is protected by its registration's
    /// <see cref="IShardDirectoryRegistration.LostToken"/>, not by this wait.
    /// </summary>
    ValueTask WaitForMapChangeAsync(long? knownVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Registers a client under <paramref name="clientId"/> with <paramref name="value"/>: an entry that lives as long as
    /// this connection's session or lease (ephemeral node, leased key) and vanishes when it expires. Register before the
    /// first read of the map: a change that starts after the registration is visible to its coordinator.
    /// </summary>
    /// <param name="clientId">Unique per client: letters, digits, '-', '_' and '.', at most 200 characters.</param>
    /// <param name="value">The client's report (the core writes a small JSON document).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidOperationException">A live client is already registered under <paramref name="clientId"/>.</exception>
    ValueTask<IShardDirectoryRegistration> RegisterAsync(string clientId, string value, CancellationToken cancellationToken);

    /// <summary>Reads every registered client (id and last value). Linearizable.</summary>
    ValueTask<IReadOnlyList<ShardDirectoryClient>> ReadClientsAsync(CancellationToken cancellationToken);
}

/// <summary>One client's entry in a directory, alive while its session or lease lives.</summary>
public interface IShardDirectoryRegistration : IAsyncDisposable
{
    /// <summary>
    /// Fires once the entry may be gone: the session or lease expired, or the client has not heard from the store for so
    /// long that the store may have expired it. Reading the token first compares that deadline with the monotonic clock,
    /// so a process resuming from a pause (SIGSTOP, a long GC) sees the loss before its timer has run. Fail closed on it.
    /// </summary>
    CancellationToken LostToken { get; }

    /// <summary>
    /// The longest the store keeps the entry after the client was last heard (session timeout, lease TTL): a coordinator
    /// that saw the entry vanish waits this margin's worth of drift before trusting that the client stopped.
    /// </summary>
    TimeSpan ExpiryBound { get; }

    /// <summary>Replaces the entry's value (only this registration's entry: never recreates one that expired).</summary>
    /// <exception cref="InvalidOperationException">The registration is lost.</exception>
    ValueTask UpdateAsync(string value, CancellationToken cancellationToken);
}

/// <summary>Offered by stores that can keep a shard directory (<c>zk://</c>, <c>etcd://</c>): consensus stores only.</summary>
public interface IShardDirectoryStore
{
    /// <summary>
    /// Opens the shard directory kept under this store's root or prefix (apart from every lock, semaphore and election
    /// name). The directory shares the store's connection; disposing the directory leaves the store open.
    /// </summary>
    IShardDirectory OpenShardDirectory();
}

/// <summary>The map document and the version a compare-and-set must name.</summary>
/// <param name="Document">The document as written.</param>
/// <param name="Version">The store's version of it (ZooKeeper's data version, etcd's mod revision).</param>
public sealed record ShardDirectoryEntry(string Document, long Version);

/// <summary>One registered client.</summary>
/// <param name="ClientId">The id it registered under.</param>
/// <param name="Value">Its last value.</param>
public sealed record ShardDirectoryClient(string ClientId, string Value);
