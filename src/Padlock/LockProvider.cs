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
public sealed class LockProvider : ILockProvider
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
    public static LockProvider Create(string uri, ILoggerFactory? loggerFactory = null)
        => Create(uri, new StoreContext { LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance });

    /// <summary>Builds a provider from a store URI with the given services.</summary>
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
    /// clusters), each name always on the same one, chosen by rendezvous hashing of the name with each URI. Every
    /// process must list the same URIs, in any order. See <see cref="Sharding.ShardedLockStore"/> for what changing
    /// the list means.
    /// </summary>
    /// <exception cref="ArgumentException">No URIs, a URI listed twice, or a bad URI (named in the message).</exception>
    public static LockProvider CreateSharded(IEnumerable<string> uris, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(uris);
        context ??= new StoreContext();
        var list = uris.ToList();
        if (list.Count == 0) throw new ArgumentException("Give at least one store URI to shard over.", nameof(uris));
        var dupe = list.GroupBy(u => u?.Trim(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dupe is not null) throw new ArgumentException($"Store '{dupe.Key}' is listed twice; each store may appear once.", nameof(uris));
        var shards = new List<KeyValuePair<string, ILockStore>>();
        try
        {
            foreach (var uri in list)
            {
                ArgumentNullException.ThrowIfNull(uri, nameof(uris));
                var parsed = StoreRegistry.ParseKnown(uri.Trim());
                shards.Add(new(uri.Trim(), StoreRegistry.FactoryFor(parsed.Scheme).Create(parsed, context)));
            }
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
        return new DistributedLock(name, Store, _logger, _time);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
