using Microsoft.Extensions.Configuration;
using Padlock;
using Padlock.DependencyInjection;

// In the DI namespace, as Microsoft.Extensions packages do, so AddPadlock shows up where services are configured.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers one <see cref="ILockProvider"/> with Microsoft.Extensions.DependencyInjection. An application with
/// several stores uses <see cref="PadlockKeyedServiceCollectionExtensions.AddKeyedPadlock(IServiceCollection, object, string)"/>.
/// </summary>
public static class PadlockServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="ILockProvider"/> for the store at <paramref name="storeUri"/>, logging through
    /// the container's <see cref="Logging.ILoggerFactory"/> and timing with its <see cref="TimeProvider"/> when it has them.
    /// Everything that needs no network is checked now (the URI's form, its scheme, that the store's package is
    /// referenced, its options), so a bad URI fails at startup rather than at first use; the store connects on first use.
    /// The container owns the provider and disposes it (synchronously or not) when it is disposed.
    /// </summary>
    /// <exception cref="ArgumentException">The URI is malformed, its scheme unknown, or an option bad.</exception>
    /// <exception cref="Padlock.Stores.StorePackageMissingException">The scheme's store package is not referenced.</exception>
    /// <exception cref="InvalidOperationException">An unkeyed <see cref="ILockProvider"/> is already registered.</exception>
    public static IServiceCollection AddPadlock(this IServiceCollection services, string storeUri)
    {
        ArgumentNullException.ThrowIfNull(services);
        PadlockRegistration.Validate(storeUri);
        return services.AddPadlock(sp => LockProvider.Create(storeUri, PadlockRegistration.ContextFrom(sp)));
    }

    /// <summary>
    /// Registers a singleton <see cref="ILockProvider"/> from a configuration section, read now (later changes to the
    /// configuration are not seen). The section is either the store URI itself (<c>"Padlock": "redis://host:6379"</c>) or
    /// has a <c>Uri</c> key and optional <c>Options</c>, each added to the URI's query, with the same names and checks
    /// as URI options: <c>"Padlock": { "Uri": "redis://host:6379", "Options": { "lease": "30s", "prefix": "app:" } }</c>.
    /// Instead of <c>Uri</c>, <c>ShardDirectory</c> names a zk:// or etcd:// directory whose shard map the provider follows
    /// (<c>LockProvider.CreateSharded(directoryUri)</c>): <c>"Padlock": { "ShardDirectory": "etcd://dir:2379/shards" }</c>.
    /// Checked at registration as <see cref="AddPadlock(IServiceCollection, string)"/> is.
    /// </summary>
    /// <exception cref="ArgumentException">The section has no URI, a key other than Uri, ShardDirectory and Options, both Uri and ShardDirectory, a directory that is not zk:// or etcd://, or a bad URI or option.</exception>
    /// <exception cref="InvalidOperationException">An unkeyed <see cref="ILockProvider"/> is already registered.</exception>
    public static IServiceCollection AddPadlock(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (uri, isDirectory) = PadlockConfiguration.Read(configuration);
        if (!isDirectory) return services.AddPadlock(uri);
        PadlockRegistration.ValidateShardDirectory(uri);
        return services.AddPadlock(sp => LockProvider.CreateSharded(uri, PadlockRegistration.ContextFrom(sp)));
    }

    /// <summary>
    /// Registers a singleton <see cref="ILockProvider"/> built by <paramref name="factory"/> (for stores built with
    /// typed options). Nothing is checked before the factory runs at first resolve.
    /// </summary>
    /// <exception cref="InvalidOperationException">An unkeyed <see cref="ILockProvider"/> is already registered.</exception>
    public static IServiceCollection AddPadlock(this IServiceCollection services, Func<IServiceProvider, ILockProvider> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        PadlockRegistration.EnsureNotRegistered(services, serviceKey: null);
        return services.AddSingleton(factory);
    }

    /// <summary>Not supported: name the store. There is no default that suits every application.</summary>
    /// <exception cref="ArgumentException">Always.</exception>
    [Obsolete(PadlockRegistration.NameTheStore, error: true)]
    public static IServiceCollection AddPadlock(this IServiceCollection services)
        => throw new ArgumentException(PadlockRegistration.NameTheStore, nameof(services));
}
