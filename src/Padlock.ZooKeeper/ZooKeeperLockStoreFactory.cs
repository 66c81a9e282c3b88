using System.Globalization;
using Padlock.Stores;

namespace Padlock.ZooKeeper;

/// <summary>
/// Builds the ZooKeeper store from <c>zk://host:port[,host:port...][/root][?sessiontimeout=10s&amp;connecttimeout=5s&amp;requesttimeout=10s&amp;lossfraction=0.6]</c>.
/// A host without a port uses 2181.
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

    private static string RootOf(StoreUri uri) => uri.Path.Length == 0 ? "/padlock" : "/" + uri.Path.TrimEnd('/');

    /// <inheritdoc/>
    public ILockStore Create(StoreUri uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        uri.EnsureOnlyKeys("sessiontimeout", "connecttimeout", "requesttimeout", "lossfraction");
        if (uri.Endpoints.Count == 0)
            throw new ArgumentException($"'{uri.Original}' names no server: expected zk://host:port[,host:port...]/root.", "uri");
        var options = new ZooKeeperLockOptions
        {
            Servers = uri.EndpointsOrDefault("127.0.0.1", 2181).Select(e => $"{e.Host}:{e.Port}").ToList(),
            Root = RootOf(uri),
            SessionTimeout = uri.GetDuration("sessiontimeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            ConnectTimeout = uri.GetDuration("connecttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
            RequestTimeout = uri.GetDuration("requesttimeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
            DisconnectLossFraction = LossFraction(uri),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"'{uri.Original}': {ex.Message.Split(" (Parameter")[0]}", "uri", ex);
        }
        return new ZooKeeperLockStore(options, context);
    }

    private static double LossFraction(StoreUri uri)
    {
        var raw = uri.GetString("lossfraction");
        if (raw is null) return 0.6;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0.1 || value > 0.9)
            throw new ArgumentException($"Option 'lossfraction={raw}' in '{uri.Original}' must be a number from 0.1 to 0.9 (the part of the session timeout without contact after which a hold counts as lost).", "uri");
        return value;
    }
}
