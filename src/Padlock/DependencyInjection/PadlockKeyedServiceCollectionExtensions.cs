using Microsoft.Extensions.Configuration;
using Padlock;
using Padlock.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers keyed <see cref="ILockProvider"/>s, for an application that uses several stores: register each under its
/// key (<c>services.AddKeyedPadlock("orders", "redis://orders-redis:6379")</c>) and inject it with
/// <c>[FromKeyedServices("orders")] ILockProvider locks</c>.
/// </summary>
public static class PadlockKeyedServiceCollectionExtensions
{
    /// <summary>
    /// Registers a keyed singleton <see cref="ILockProvider"/> for the store at <paramref name="storeUri"/>, checked
    /// at registration as <see cref="PadlockServiceCollectionExtensions.AddPadlock(IServiceCollection, string)"/> is.
    /// </summary>
    /// <exception cref="ArgumentException">A bad URI or option, or an unknown scheme.</exception>
    /// <exception cref="Padlock.Stores.StorePackageMissingException">The scheme's store package is not referenced.</exception>
    /// <exception cref="InvalidOperationException">A provider is already registered under <paramref name="serviceKey"/>.</exception>
    public static IServiceCollection AddKeyedPadlock(this IServiceCollection services, object serviceKey, string storeUri)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        PadlockRegistration.Validate(storeUri);
        return services.AddKeyedPadlock(serviceKey, (sp, _) => LockProvider.Create(storeUri, PadlockRegistration.ContextFrom(sp)));
    }

    /// <summary>
    /// Registers a keyed singleton <see cref="ILockProvider"/> from a configuration section, in the form
    /// <see cref="PadlockServiceCollectionExtensions.AddPadlock(IServiceCollection, IConfiguration)"/> reads.
    /// </summary>
    /// <exception cref="ArgumentException">The section has no URI, an unknown key, or a bad URI or option.</exception>
    /// <exception cref="InvalidOperationException">A provider is already registered under <paramref name="serviceKey"/>.</exception>
    public static IServiceCollection AddKeyedPadlock(this IServiceCollection services, object serviceKey, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        var (uri, isDirectory) = PadlockConfiguration.Read(configuration);
        if (!isDirectory) return services.AddKeyedPadlock(serviceKey, uri);
        PadlockRegistration.ValidateShardDirectory(uri);
        return services.AddKeyedPadlock(serviceKey, (sp, _) => LockProvider.CreateSharded(uri, PadlockRegistration.ContextFrom(sp)));
    }

    /// <summary>Registers a keyed singleton <see cref="ILockProvider"/> built by <paramref name="factory"/> (given the provider and the key).</summary>
    /// <exception cref="InvalidOperationException">A provider is already registered under <paramref name="serviceKey"/>.</exception>
    public static IServiceCollection AddKeyedPadlock(this IServiceCollection services, object serviceKey, Func<IServiceProvider, object?, ILockProvider> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(factory);
        PadlockRegistration.EnsureNotRegistered(services, serviceKey);
        return services.AddKeyedSingleton(serviceKey, factory);
    }
}
