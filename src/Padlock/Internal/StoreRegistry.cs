using System.Collections.Concurrent;
using Padlock.FileSystem;
using Padlock.InProcess;
using Padlock.Stores;

namespace Padlock.Internal;

/// <summary>
/// Maps URI schemes to store factories. The embedded stores are built in; the store packages are found by their
/// well-known factory type when their assembly is referenced, so the core never depends on them.
/// </summary>
internal static class StoreRegistry
{
    private static readonly ConcurrentDictionary<string, ILockStoreFactory> Factories = new(StringComparer.OrdinalIgnoreCase);

    // The store packages' schemes, for messages and for the lookup below.
    private static readonly Dictionary<string, string> WellKnown = new(StringComparer.OrdinalIgnoreCase)
    {
        ["redis"] = "Padlock.Redis",
        ["rediss"] = "Padlock.Redis",
        ["redlock"] = "Padlock.Redis",
        ["zk"] = "Padlock.ZooKeeper",
        ["etcd"] = "Padlock.Etcd",
        ["postgres"] = "Padlock.Postgres",
        ["postgresql"] = "Padlock.Postgres",
    };

    static StoreRegistry()
    {
        Register(new EmbeddedFactory());
    }

    internal static IReadOnlyList<string> KnownSchemes
        => [.. Factories.Keys.Concat(WellKnown.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];

    internal static void Register(ILockStoreFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        foreach (var scheme in factory.Schemes) Factories[scheme] = factory;
    }

    internal static StoreUri ParseKnown(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!StoreUri.TryParse(uri, out var parsed, out var problem))
            throw new ArgumentException($"{problem} Known schemes: {string.Join(", ", KnownSchemes.Select(s => s + "://"))}.", nameof(uri));
        if (!Factories.ContainsKey(parsed.Scheme) && !WellKnown.ContainsKey(parsed.Scheme))
            throw new ArgumentException($"Unknown store scheme '{parsed.Scheme}://' in '{parsed.Display}'. Known schemes: {string.Join(", ", KnownSchemes.Select(s => s + "://"))}.", nameof(uri));
        return parsed;
    }

    /// <summary>
    /// Checks everything about <paramref name="uri"/> that needs no network: the scheme is known, its store package is
    /// referenced, and the factory accepts the path and options. Factories do not connect in
    /// <see cref="ILockStoreFactory.Create"/> (stores connect on first use), so building the store and disposing it at
    /// once touches nothing remote; mem:// and file:// are only parsed, so a check creates no lock directory.
    /// </summary>
    /// <exception cref="ArgumentException">What <see cref="LockProvider.Create(string, StoreContext)"/> would throw.</exception>
    internal static void Validate(string uri)
    {
        var parsed = ParseKnown(uri);
        var factory = FactoryFor(parsed.Scheme);
        if (factory is EmbeddedFactory embedded)
        {
            embedded.Check(parsed);
            return;
        }
        var store = factory.Create(parsed, StoreContext.Default);
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <exception cref="StorePackageMissingException">The scheme's store package is not referenced by the application.</exception>
    internal static ILockStoreFactory FactoryFor(string scheme)
    {
        if (Factories.TryGetValue(scheme, out var factory)) return factory;
        var package = WellKnown[scheme];
        // Each lookup names its type with a constant, so the trimmer and the Native AOT compiler see which factory (and
        // its constructor) to keep when the package is part of the app, and a trimmed or AOT app finds the store as any
        // other does. A type name read from a table would be invisible to them (IL2057), and the store "missing".
        var type = package switch
        {
            "Padlock.Redis" => Type.GetType("Padlock.Redis.RedisLockStoreFactory, Padlock.Redis", throwOnError: false),
            "Padlock.ZooKeeper" => Type.GetType("Padlock.ZooKeeper.ZooKeeperLockStoreFactory, Padlock.ZooKeeper", throwOnError: false),
            "Padlock.Etcd" => Type.GetType("Padlock.Etcd.EtcdLockStoreFactory, Padlock.Etcd", throwOnError: false),
            _ => Type.GetType("Padlock.Postgres.PostgresLockStoreFactory, Padlock.Postgres", throwOnError: false),
        };
        if (type is null) throw new StorePackageMissingException(scheme, package);
        factory = (ILockStoreFactory)Activator.CreateInstance(type)!;
        Register(factory);
        return factory;
    }

    /// <summary>mem:// and file://.</summary>
    private sealed class EmbeddedFactory : ILockStoreFactory
    {
        public IReadOnlyList<string> Schemes => ["mem", "file"];

        // mem:// has no identity beyond its process; file:// is its directory, absolute, symbolic links resolved.
        public string GetIdentity(StoreUri uri)
            => uri.Scheme == "mem" ? "mem://" : "file://" + LockDirectoryPath.Canonical(FileDirectory(uri));

        public ILockStore Create(StoreUri uri, StoreContext context)
            => FileOptions(uri) is { } options
                ? new FileLockStore(options, context.TimeProvider)
                : new InProcessLockStore();

        /// <summary>Everything <see cref="Create"/> checks, without creating the lock directory.</summary>
        public void Check(StoreUri uri) => FileOptions(uri)?.Validate();

        // The file store's options, or null for mem://.
        private static FileLockOptions? FileOptions(StoreUri uri)
        {
            if (uri.Scheme == "mem")
            {
                uri.EnsureOnlyKeys();
                if (uri.Remainder.Length > 0)
                    throw new ArgumentException($"mem:// takes no host or path; got '{uri.Display}'.", "uri");
                return null;
            }
            uri.EnsureOnlyKeys([.. FileLockOptions.Settings.Select(s => s.UriKey)]);
            return new FileLockOptions
            {
                // file:///abs/dir, file://relative/dir, or file:// for the default directory.
                Directory = FileDirectory(uri),
                MaxPollInterval = FileLockOptions.MaxPollIntervalSetting.Read(uri),
                LossCheckInterval = FileLockOptions.LossCheckIntervalSetting.Read(uri),
            };
        }

        private static string FileDirectory(StoreUri uri)
            => uri.Remainder.Length == 0 ? FileLockOptions.DefaultDirectory : Uri.UnescapeDataString(uri.Remainder);
    }
}
