using Padlock.Stores;

namespace Padlock.Etcd;

/// <summary>
/// Builds <see cref="EtcdLockStore"/> from <c>etcd://[user:password@]host:port[,host:port...][/prefix][?ttl=30s&amp;connecttimeout=5s&amp;requesttimeout=5s&amp;tls=true&amp;cafile=...&amp;certfile=...&amp;keyfile=...]</c>.
/// <c>tls=true</c> talks https to every member; user and password use etcd's authentication (see <see cref="EtcdLockOptions.User"/>).
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
        if ((uri.UserName is null) != (uri.Password is null))
            throw new ArgumentException($"'{uri.Display}' gives a user without a password (or the reverse): etcd authentication needs etcd://user:password@host.", nameof(uri));
        if (uri.Scheme != "etcd") throw new ArgumentException($"'{uri.Display}' is not an etcd:// URI.", nameof(uri));
        uri.EnsureOnlyKeys([.. EtcdLockOptions.Settings.Select(s => s.UriKey), .. TlsKeys]);
        // Defaults and ranges come from EtcdLockOptions' settings; Validate words its messages for the URI.
        var options = new EtcdLockOptions
        {
            Prefix = PrefixOf(uri),
            SessionTtl = EtcdLockOptions.SessionTtlSetting.Read(uri),
            ConnectTimeout = EtcdLockOptions.ConnectTimeoutSetting.Read(uri),
            RequestTimeout = EtcdLockOptions.RequestTimeoutSetting.Read(uri),
            UseTls = uri.GetBool("tls", false),
            TlsCaFile = uri.GetString("cafile"),
            TlsCertificateFile = uri.GetString("certfile"),
            TlsKeyFile = uri.GetString("keyfile"),
            User = uri.UserName,
            Password = uri.Password,
        };
        foreach (var e in uri.EndpointsOrDefault("127.0.0.1", 2379))
            options.Endpoints.Add(e.Host.Contains(':', StringComparison.Ordinal) ? $"[{e.Host}]:{e.Port}" : $"{e.Host}:{e.Port}");
        return EtcdLockStore.FromUri(options, uri.Display, context);
    }

    private static readonly string[] TlsKeys = ["tls", "cafile", "certfile", "keyfile"];
}
