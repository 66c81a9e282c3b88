using Padlock.Stores;

namespace Padlock.Etcd;

/// <summary>
/// Builds <see cref="EtcdLockStore"/> from <c>etcd://host:port[,host:port...][/prefix][?ttl=30s&amp;connecttimeout=5s&amp;requesttimeout=5s]</c>.
/// Found by <see cref="LockProvider.Create(string, Microsoft.Extensions.Logging.ILoggerFactory?)"/> when this package is referenced.
/// </summary>
public sealed class EtcdLockStoreFactory : ILockStoreFactory
{
    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes => ["etcd"];

    /// <inheritdoc/>
    /// <remarks>The endpoints (port 2379 when left out) and the key prefix; the TTL and timeouts do not change where keys live.</remarks>
    public string GetIdentity(StoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return StoreIdentity.Canonical("etcd", uri.EndpointsOrDefault("127.0.0.1", 2379), 2379, PrefixOf(uri));
    }

    private static string PrefixOf(StoreUri uri) => uri.Path.Trim('/') is { Length: > 0 } path ? path : "padlock";

    /// <inheritdoc/>
    public ILockStore Create(StoreUri uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        if (uri.Scheme != "etcd") throw new ArgumentException($"'{uri.Original}' is not an etcd:// URI.", nameof(uri));
        uri.EnsureOnlyKeys("ttl", "connecttimeout", "requesttimeout");
        var options = new EtcdLockOptions
        {
            Prefix = PrefixOf(uri),
            SessionTtl = uri.GetDuration("ttl", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), TimeSpan.FromHours(1)),
            ConnectTimeout = uri.GetDuration("connecttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
            RequestTimeout = uri.GetDuration("requesttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
        };
        if (options.SessionTtl.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentException($"Option 'ttl' in '{uri.Original}' must be whole seconds (etcd leases count in seconds).", nameof(uri));
        foreach (var e in uri.EndpointsOrDefault("127.0.0.1", 2379))
            options.Endpoints.Add(e.Host.Contains(':', StringComparison.Ordinal) ? $"[{e.Host}]:{e.Port}" : $"{e.Host}:{e.Port}");
        return new EtcdLockStore(options, context);
    }
}
