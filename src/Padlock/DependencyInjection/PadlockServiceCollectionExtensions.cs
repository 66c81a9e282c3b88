using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Padlock;
using Padlock.Stores;

// In the DI namespace, as Microsoft.Extensions packages do, so AddPadlock shows up where services are configured.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Padlock with Microsoft.Extensions.DependencyInjection.</summary>
public static class PadlockServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="ILockProvider"/> for the store at <paramref name="storeUri"/>
    /// (default: <see cref="LockProvider.DefaultUri"/>), logging through the container's <see cref="ILoggerFactory"/> when there is one.
    /// The URI is checked now, so a bad one fails at startup rather than at first use.
    /// </summary>
    public static IServiceCollection AddPadlock(this IServiceCollection services, string? storeUri = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var uri = storeUri ?? LockProvider.DefaultUri;
        StoreUri.Parse(uri);
        return services.AddPadlock(sp => LockProvider.Create(uri, new StoreContext
        {
            LoggerFactory = sp.GetService<ILoggerFactory>() ?? Logging.Abstractions.NullLoggerFactory.Instance,
            TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
        }));
    }

    /// <summary>Registers a singleton <see cref="ILockProvider"/> built by <paramref name="factory"/> (for stores built with typed options).</summary>
    public static IServiceCollection AddPadlock(this IServiceCollection services, Func<IServiceProvider, ILockProvider> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.TryAddSingleton(factory);
        return services;
    }
}
