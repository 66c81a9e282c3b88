using Padlock.Stores;

namespace Padlock.ZooKeeper;

/// <summary>
/// Builds the ZooKeeper store from <c>zk://host:port[,host:port...][/root][?sessiontimeout=10s&amp;connecttimeout=5s&amp;requesttimeout=10s&amp;lossfraction=0.6]</c>.
/// A host without a port uses 2181. <c>zk://user:password@host/root</c> sends digest credentials (see <see cref="ZooKeeperLockOptions.User"/>).
/// </summary>
public sealed class ZooKeeperLockStoreFactory : ILockStoreFactory
{
    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes => ["zk"];

    /// <inheritdoc/>
    /// <remarks>The servers (port 2181 when left out) and the root; timeouts do not change where nodes live.</remarks>
    public string GetIdentity(StoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return StoreIdentity.Canonical("zk", uri.Endpoints, 2181, RootOf(uri).TrimStart('/'));
    }

    private static string RootOf(StoreUri uri) => uri.Path.Length == 0 ? ZooKeeperLockOptions.DefaultRoot : "/" + uri.Path.TrimEnd('/');

    /// <inheritdoc/>
    public ILockStore Create(StoreUri uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        if ((uri.UserName is null) != (uri.Password is null))
            throw new ArgumentException($"'{uri.Display}' gives a user without a password (or the reverse): digest authentication needs zk://user:password@host.", nameof(uri));
        uri.EnsureOnlyKeys([.. ZooKeeperLockOptions.Settings.Select(s => s.UriKey), "tls", "cafile", "certfile", "keyfile"]);
        if (uri.Endpoints.Count == 0)
            throw new ArgumentException($"'{uri.Display}' names no server: expected zk://host:port[,host:port...]/root.", "uri");
        // Defaults and ranges come from ZooKeeperLockOptions' settings; Validate words its messages for the URI.
        var options = new ZooKeeperLockOptions
        {
            Servers = uri.EndpointsOrDefault("127.0.0.1", 2181).Select(e => $"{e.Host}:{e.Port}").ToList(),
            Root = RootOf(uri),
            SessionTimeout = ZooKeeperLockOptions.SessionTimeoutSetting.Read(uri),
            ConnectTimeout = ZooKeeperLockOptions.ConnectTimeoutSetting.Read(uri),
            RequestTimeout = ZooKeeperLockOptions.RequestTimeoutSetting.Read(uri),
            DisconnectLossFraction = ZooKeeperLockOptions.DisconnectLossFractionSetting.Read(uri),
            User = uri.UserName,
            Password = uri.Password,
            UseTls = uri.GetBool("tls", false),
            TlsCaFile = uri.GetString("cafile"),
            TlsCertificateFile = uri.GetString("certfile"),
            TlsKeyFile = uri.GetString("keyfile"),
        };
        options.Validate(uri.Display);
        return new ZooKeeperLockStore(options, context);
    }
}
