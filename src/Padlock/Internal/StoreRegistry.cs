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

    private static readonly Dictionary<string, (string Type, string Package)> WellKnown = new(StringComparer.OrdinalIgnoreCase)
    {
        ["redis"] = ("Padlock.Redis.RedisLockStoreFactory, Padlock.Redis", "Padlock.Redis"),
        ["redlock"] = ("Padlock.Redis.RedisLockStoreFactory, Padlock.Redis", "Padlock.Redis"),
        ["zk"] = ("Padlock.ZooKeeper.ZooKeeperLockStoreFactory, Padlock.ZooKeeper", "Padlock.ZooKeeper"),
        ["etcd"] = ("Padlock.Etcd.EtcdLockStoreFactory, Padlock.Etcd", "Padlock.Etcd"),
        ["postgres"] = ("Padlock.Postgres.PostgresLockStoreFactory, Padlock.Postgres", "Padlock.Postgres"),
        ["postgresql"] = ("Padlock.Postgres.PostgresLockStoreFactory, Padlock.Postgres", "Padlock.Postgres"),
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
        StoreUri parsed;
        try
        {
            parsed = StoreUri.Parse(uri);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{ex.Message.Split(" (Parameter")[0]} Known schemes: {string.Join(", ", KnownSchemes.Select(s => s + "://"))}.", nameof(uri), ex);
        }
        if (!Factories.ContainsKey(parsed.Scheme) && !WellKnown.ContainsKey(parsed.Scheme))
            throw new ArgumentException($"Unknown store scheme '{parsed.Scheme}://' in '{uri}'. Known schemes: {string.Join(", ", KnownSchemes.Select(s => s + "://"))}.", nameof(uri));
        return parsed;
    }

    internal static ILockStoreFactory FactoryFor(string scheme)
    {
        if (Factories.TryGetValue(scheme, out var factory)) return factory;
        var (typeName, package) = WellKnown[scheme];
        var type = Type.GetType(typeName, throwOnError: false)
            ?? throw new ArgumentException($"The {scheme}:// store lives in the {package} package, which this application does not reference.", "uri");
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
        {
            if (uri.Scheme == "mem")
            {
                uri.EnsureOnlyKeys();
                if (uri.Remainder.Length > 0)
                    throw new ArgumentException($"mem:// takes no host or path; got '{uri.Original}'.", "uri");
                return new InProcessLockStore(context.TimeProvider);
            }
            uri.EnsureOnlyKeys("poll", "losscheck");
            var options = new FileLockOptions
            {
                // file:///abs/dir, file://relative/dir, or file:// for the default directory.
                Directory = FileDirectory(uri),
                MaxPollInterval = uri.GetDuration("poll", TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10)),
                LossCheckInterval = uri.GetDuration("losscheck", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
            };
            return new FileLockStore(options, context.TimeProvider);
        }

        private static string FileDirectory(StoreUri uri)
            => uri.Remainder.Length == 0 ? FileLockOptions.DefaultDirectory : Uri.UnescapeDataString(uri.Remainder);
    }
}
