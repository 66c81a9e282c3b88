using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Padlock.Internal;
using Padlock.Stores;

namespace Padlock;

/// <summary>
/// The entry point: makes locks on one store. Build it from a URI with <see cref="Create(string, ILoggerFactory?)"/>
/// (<c>mem://</c>, <c>file:///var/lock/app</c>, <c>redis://host:6379</c>, <c>redlock://h1,h2,h3</c>, <c>zk://h1:2181/locks</c>,
/// <c>etcd://h1:2379/locks</c>), or from a store object built with typed options.
/// </summary>
public sealed class LockProvider : ILockProvider, IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Wraps a store built with typed options.</summary>
    /// <param name="store">The store; the provider owns it and disposes it.</param>
    /// <param name="loggerFactory">Where Padlock logs (category "Padlock"). Default: no logging.</param>
    /// <param name="timeProvider">The clock used for telemetry timings. Default: the system clock.</param>
    public LockProvider(ILockStore store, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Padlock");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The URI used when none is given: the file store in <see cref="FileSystem.FileLockOptions.DefaultDirectory"/>.</summary>
    public static string DefaultUri => "file://" + FileSystem.FileLockOptions.DefaultDirectory;

    /// <summary>The URI schemes that <see cref="Create(string, ILoggerFactory?)"/> understands.</summary>
    public static IReadOnlyList<string> KnownSchemes => StoreRegistry.KnownSchemes;

    /// <summary>The store behind this provider.</summary>
    public ILockStore Store { get; }

    /// <inheritdoc/>
    public string StoreKind => Store.Kind;

    /// <summary>
    /// Builds a provider from a store URI. The store packages (Padlock.Redis, Padlock.ZooKeeper, Padlock.Etcd) are found
    /// when referenced; <see cref="RegisterStore"/> adds others.
    /// </summary>
    /// <exception cref="ArgumentException">The URI is malformed, names an unknown scheme (the message lists the known ones), or has a bad option.</exception>
    /// <exception cref="Stores.StorePackageMissingException">The scheme's store package (e.g. Padlock.Redis) is not referenced.</exception>
    /// <exception cref="Stores.LockStoreUnavailableException">file:// only: the directory cannot be created (server stores connect on first use).</exception>
    public static LockProvider Create(string uri, ILoggerFactory? loggerFactory = null)
        => Create(uri, new StoreContext { LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance });

    /// <summary>Builds a provider from a store URI with the given services.</summary>
    /// <exception cref="ArgumentException">The URI is malformed, names an unknown scheme, or has a bad option.</exception>
    /// <exception cref="Stores.StorePackageMissingException">The scheme's store package is not referenced.</exception>
    /// <exception cref="Stores.LockStoreUnavailableException">file:// only: the directory cannot be created.</exception>
    public static LockProvider Create(string uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        var parsed = StoreRegistry.ParseKnown(uri);
        var store = StoreRegistry.FactoryFor(parsed.Scheme).Create(parsed, context);
        return new LockProvider(store, context.LoggerFactory, context.TimeProvider);
    }

    /// <summary>
    /// Builds a provider that spreads lock names over several stores (for example several ZooKeeper ensembles or etcd
    /// clusters), each name always on the same one, chosen by rendezvous hashing of the name with each store's identity
    /// (<see cref="StoreIdentity"/>): the same store spelt differently (host case, endpoint order, a default port, a
    /// trailing slash, options such as timeouts) places every name the same way. Every process must list the same
    /// stores, in any order. See <see cref="Sharding.ShardedLockStore"/> for what changing the list means.
    /// </summary>
    /// <exception cref="ArgumentException">No URIs, one store listed twice (in any spelling), or a bad URI (named in the message).</exception>
    public static LockProvider CreateSharded(IEnumerable<string> uris, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(uris);
        var list = uris.ToList();
        if (list.Count == 0) throw new ArgumentException("Give at least one store URI to shard over.", nameof(uris));
        return BuildSharded(list.Select(u => (Id: (string?)null, Uri: u)).ToList(), context, nameof(uris));
    }

    /// <summary>
    /// Builds a sharded provider whose shards are named by the caller: names are placed by hashing the shard names, not
    /// the URIs, so machines that reach one store under different host names (an IP here, a DNS name there) still
    /// agree. Every process must use the same shard names for the same stores.
    /// </summary>
    /// <param name="shards">Shard name → store URI.</param>
    /// <param name="context">Services for the stores.</param>
    /// <exception cref="ArgumentException">No shards, an empty or repeated shard name, one store under two names, or a bad URI.</exception>
    public static LockProvider CreateSharded(IReadOnlyDictionary<string, string> shards, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var list = shards.Select(p => (Id: (string?)(p.Key ?? ""), Uri: p.Value)).ToList();
        if (list.Count == 0) throw new ArgumentException("Give at least one named shard.", nameof(shards));
        return BuildSharded(list, context, nameof(shards));
    }

    /// <summary>
    /// Builds a provider that spreads names over the shards listed in a shard map kept in a directory store
    /// (<c>etcd://host:2379/prefix</c> or <c>zk://host:2181/root</c>), and follows the map as it changes: shards can be added
    /// and removed while clients run (<see cref="Sharding.ShardMapAdmin"/>, <c>padlock shards apply</c>) with no window in
    /// which two clients hold one name. Fencing tokens carry the name's placement generation in their high bits
    /// (<see cref="Sharding.ShardTokens"/>). Nothing is contacted until the first use, which registers this client in the
    /// directory and reads the map. See <see cref="Sharding.DirectoryShardedLockStore"/> and docs/sharding.md.
    /// </summary>
    /// <param name="directoryUri">The directory store's URI: a consensus store, <c>zk://</c> or <c>etcd://</c>.</param>
    /// <param name="context">Services for the directory and the shard stores.</param>
    /// <exception cref="ArgumentException">The URI is malformed, or names a store that cannot keep a shard map (not a consensus store).</exception>
    public static LockProvider CreateSharded(string directoryUri, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(directoryUri);
        context ??= new StoreContext();
        var parsed = StoreRegistry.ParseKnown(directoryUri.Trim());
        var directory = StoreRegistry.FactoryFor(parsed.Scheme).Create(parsed, context);
        try
        {
            return new LockProvider(new Sharding.DirectoryShardedLockStore(directory, context), context.LoggerFactory, context.TimeProvider);
        }
        catch (ArgumentException ex)
        {
            directory.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new ArgumentException(ex.Message, nameof(directoryUri), ex);
        }
    }

    private static LockProvider BuildSharded(List<(string? Id, string Uri)> list, StoreContext? context, string paramName)
    {
        context ??= new StoreContext();
        var parsed = new List<(string Id, StoreUri Uri, ILockStoreFactory Factory)>();
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, uri) in list)
        {
            if (uri is null) throw new ArgumentNullException(paramName, "A shard's store URI is null.");
            var u = StoreRegistry.ParseKnown(uri.Trim());
            var factory = StoreRegistry.FactoryFor(u.Scheme);
            var identity = factory.GetIdentity(u);
            if (!identities.TryAdd(identity, uri.Trim()))
                throw new ArgumentException($"Store '{uri.Trim()}' is listed twice ('{identities[identity]}' is the same store, {identity}); each store may appear once.", paramName);
            parsed.Add((id ?? identity, u, factory));
        }
        var shards = new List<KeyValuePair<string, ILockStore>>();
        try
        {
            foreach (var (id, uri, factory) in parsed) shards.Add(new(id, factory.Create(uri, context)));
            return new LockProvider(new Sharding.ShardedLockStore(shards), context.LoggerFactory, context.TimeProvider);
        }
        catch
        {
            // Stores built before the bad one may hold connections: close them rather than leak them.
            foreach (var (_, store) in shards)
            {
                try { store.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
                catch (Exception) { /* the error that stopped the build is the one to report */ }
            }
            throw;
        }
    }

    /// <summary>Makes a store scheme known to <see cref="Create(string, ILoggerFactory?)"/>.</summary>
    public static void RegisterStore(ILockStoreFactory factory) => StoreRegistry.Register(factory);

    /// <inheritdoc/>
    public IDistributedLock CreateLock(string name)
    {
        LockNames.Validate(name);
        return new DistributedLock(name, this, Store, _logger, _time);
    }

    /// <inheritdoc/>
    public IDistributedSemaphore CreateSemaphore(string name, int maxCount)
    {
        LockNames.Validate(name);
        if (maxCount < 1 || maxCount > SemaphoreLimits.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount,
                $"A semaphore's maxCount must be from 1 to {SemaphoreLimits.MaxCount}; got {maxCount}.");
        // A sharded store answers for the one shard that owns the name.
        var owner = Store is Sharding.ShardedLockStore sharded ? sharded.StoreFor(name) : Store;
        if (owner is not ISemaphoreStore)
            throw new NotSupportedException(
                $"The {owner.Kind}:// store has no semaphores. " +
                (owner.Kind == "redlock"
                    ? "Redlock counts permits on independent masters, where holders A+B, B+C and A+C each look like 2 permits per master: " +
                      "3 clients would hold 2 permits. Use a single logical Redis (redis://, also Sentinel or Cluster), or zk:// or etcd:// " +
                      "for permits that survive a failover."
                    : "Use a store that implements ISemaphoreStore: mem:// (one process), file:// (one machine), or redis://, postgres://, " +
                      "zk:// or etcd:// where their package provides it."));
        return new DistributedSemaphore(name, maxCount, this, Store, (ISemaphoreStore)Store, _logger, _time);
    }

    /// <inheritdoc/>
    public IDistributedReaderWriterLock CreateReaderWriterLock(string name)
    {
        LockNames.Validate(name);
        // A sharded store answers for the one shard that owns the name.
        var owner = Store is Sharding.ShardedLockStore sharded ? sharded.StoreFor(name) : Store;
        if (owner is not IReaderWriterLockStore)
            throw new NotSupportedException(
                $"The {owner.Kind}:// store has no reader-writer locks. " +
                (owner.Kind == "redlock"
                    ? "Redlock counts holders on independent masters, so readers and a writer can each win a majority that the " +
                      "other does not see. Use a single logical Redis (redis://, also Sentinel or Cluster), or zk://, etcd:// or postgres://."
                    : "Use a store that implements IReaderWriterLockStore: mem:// (one process), file:// (one machine), or " +
                      "redis://, postgres://, zk:// or etcd:// where their package provides it."));
        return new DistributedReaderWriterLock(name, this, Store, (IReaderWriterLockStore)Store, _logger, _time);
    }

    /// <inheritdoc/>
    public IDistributedElection CreateElection(string name)
    {
        LockNames.Validate(name);
        // A sharded store answers for the one shard that owns the name: the election runs on that store directly.
        var owner = Store is Sharding.ShardedLockStore sharded ? sharded.StoreFor(name) : Store;
        if (owner is not IElectionStore elections)
            throw new NotSupportedException(
                $"The {owner.Kind}:// store has no leader elections. " +
                (owner.Kind == "redlock"
                    ? "Redlock has no line across its masters, so campaigners are not elected in arrival order and a leader's value " +
                      "has no single home. Use a single logical Redis (redis://, also Sentinel or Cluster), or zk://, etcd:// or postgres://."
                    : "Use a store that implements IElectionStore: mem:// (one process), file:// (one machine), or redis://, " +
                      "postgres://, zk:// or etcd://, whose line of campaigners (or the server's lock queue) makes the first the leader."));
        return new DistributedElection(name, this, owner, elections, _logger, _time);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Store.DisposeAsync();

    /// <summary>
    /// Disposes the store synchronously, for containers and <c>using</c> blocks that are not async (a
    /// <c>using var sp = services.BuildServiceProvider()</c> disposes singletons this way). Same effect as
    /// <see cref="DisposeAsync"/>; prefer that one where you can await.
    /// </summary>
    public void Dispose()
    {
        var disposing = Store.DisposeAsync();
        if (!disposing.IsCompletedSuccessfully) disposing.AsTask().GetAwaiter().GetResult();
    }
}
