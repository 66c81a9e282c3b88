using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Padlock.Internal;
using Padlock.Stores;

namespace Padlock.DependencyInjection;

/// <summary>What every AddPadlock form shares: the checks made at registration and the services given to the store.</summary>
internal static class PadlockRegistration
{
    internal const string NameTheStore =
        "AddPadlock needs the store: pass its URI (e.g. AddPadlock(\"redis://host:6379\"), AddPadlock(\"file:///var/lock/app\")) "
        + "or a configuration section. A default would guess, and a one-machine store in a multi-instance app locks nothing across instances.";

    /// <summary>Checks everything about the URI that needs no network (see <see cref="StoreRegistry.Validate"/>).</summary>
    internal static void Validate(string storeUri)
    {
        ArgumentNullException.ThrowIfNull(storeUri);
        StoreRegistry.Validate(storeUri);
    }

    /// <summary>Checks a shard directory's URI as <see cref="Validate"/> does, and that it names a consensus store.</summary>
    internal static void ValidateShardDirectory(string directoryUri)
    {
        Validate(directoryUri);
        var scheme = StoreRegistry.ParseKnown(directoryUri).Scheme;
        if (scheme is not ("zk" or "etcd"))
            throw new ArgumentException(
                $"ShardDirectory must be a zk:// or etcd:// URI (a consensus store keeps the shard map); '{scheme}://' cannot.", nameof(directoryUri));
    }

    internal static StoreContext ContextFrom(IServiceProvider sp) => new()
    {
        LoggerFactory = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
        TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
    };

    /// <summary>
    /// A second provider under the same key (or a second unkeyed one) would silently win or lose depending on the
    /// call order, so it is an error rather than a replacement.
    /// </summary>
    internal static void EnsureNotRegistered(IServiceCollection services, object? serviceKey)
    {
        foreach (var d in services)
        {
            if (d.ServiceType != typeof(ILockProvider)) continue;
            if (serviceKey is null && !d.IsKeyedService)
                throw new InvalidOperationException(
                    "An ILockProvider is already registered; AddPadlock registers one store. For several stores, register each "
                    + "with AddKeyedPadlock(key, uri) and inject it with [FromKeyedServices(key)].");
            if (serviceKey is not null && d.IsKeyedService && Equals(d.ServiceKey, serviceKey))
                throw new InvalidOperationException($"An ILockProvider is already registered under the key '{serviceKey}'; each key names one store.");
        }
    }
}
