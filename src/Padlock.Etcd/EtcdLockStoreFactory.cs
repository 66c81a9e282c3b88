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

    private static string PrefixOf(StoreUri uri) => uri.Path.Trim('/') is { Length: > 0 } path ? path : EtcdLockOptions.DefaultPrefix;

    /// <inheritdoc/>
    public ILockStore Create(StoreUri uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        // Credentials must never be dropped silently: this store cannot use them yet.
        if (uri.UserName is not null || uri.Password is not null)
            throw new ArgumentException($"'{uri.Display}' gives a user or password, which etcd:// does not support yet (no authentication for this store); remove them.", nameof(uri));
        if (uri.Scheme != "etcd") throw new ArgumentException($"'{uri.Display}' is not an etcd:// URI.", nameof(uri));
        uri.EnsureOnlyKeys([.. EtcdLockOptions.Settings.Select(s => s.UriKey)]);
        // Defaults and ranges come from EtcdLockOptions' settings; Validate words its messages for the URI.
        var options = new EtcdLockOptions
        {
            Prefix = PrefixOf(uri),
            SessionTtl = EtcdLockOptions.SessionTtlSetting.Read(uri),
            ConnectTimeout = EtcdLockOptions.ConnectTimeoutSetting.Read(uri),
            RequestTimeout = EtcdLockOptions.RequestTimeoutSetting.Read(uri),
        };
        foreach (var e in uri.EndpointsOrDefault("127.0.0.1", 2379))
            options.Endpoints.Add(e.Host.Contains(':', StringComparison.Ordinal) ? $"[{e.Host}]:{e.Port}" : $"{e.Host}:{e.Port}");
        options.Validate(uri.Display);
        return new EtcdLockStore(options, context);
    }
}
