using System.Net;
using System.Text;

namespace Padlock.Cli.Verify;

/// <summary>
/// One verify client's own path to the store, for the <c>partition</c> fault: a <see cref="Relay"/> per endpoint of the
/// store URI, and the URI rewritten to reach the store through them. Cutting it isolates that client alone, from every
/// member of a cluster at once, while the others and the store run on.
/// </summary>
internal sealed class ClientNetwork : IAsyncDisposable
{
    private readonly List<Relay> _relays;

    private ClientNetwork(string uri, List<Relay> relays)
    {
        Uri = uri;
        _relays = relays;
    }

    /// <summary>The store URI with each endpoint replaced by its relay's loopback port.</summary>
    public string Uri { get; }

    /// <summary>True while the client is cut off from the store.</summary>
    public bool Cut
    {
        get => _relays.Count > 0 && _relays[0].Cut;
        set
        {
            foreach (var relay in _relays) relay.Cut = value;
        }
    }

    /// <summary>The default port of each scheme verify can partition, for endpoints given without one.</summary>
    private static int DefaultPort(string scheme) => scheme switch
    {
        "redis" or "rediss" or "redlock" => 6379,
        "zk" => 2181,
        "etcd" or "etcds" => 2379,
        "postgres" or "postgresql" => 5432,
        _ => 0,
    };

    /// <summary>Why <paramref name="uri"/> cannot be partitioned, or null when it can.</summary>
    public static string? Unsupported(string uri)
    {
        var scheme = uri.Split("://")[0].ToLowerInvariant();
        return DefaultPort(scheme) == 0 ? $"partition: {scheme}:// has no network between client and store to cut" : null;
    }

    /// <summary>Starts a relay for each endpoint of <paramref name="uri"/> (scheme://[user[:password]@]host[:port][,...][/path][?query]).</summary>
    public static ClientNetwork Open(string uri)
    {
        var sep = uri.IndexOf("://", StringComparison.Ordinal);
        var scheme = uri[..sep].ToLowerInvariant();
        var start = sep + 3;
        var end = uri.IndexOfAny(['/', '?'], start);
        if (end < 0) end = uri.Length;
        var authority = uri[start..end];
        var at = authority.LastIndexOf('@');
        var userInfo = at < 0 ? "" : authority[..(at + 1)];
        var relays = new List<Relay>();
        var hosts = new StringBuilder();
        foreach (var endpoint in authority[(at + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var relay = new Relay(Parse(endpoint.Trim(), DefaultPort(scheme)));
            relays.Add(relay);
            if (hosts.Length > 0) hosts.Append(',');
            hosts.Append("127.0.0.1:").Append(relay.Port);
        }
        return new ClientNetwork(uri[..start] + userInfo + hosts + uri[end..], relays);
    }

    private static DnsEndPoint Parse(string endpoint, int defaultPort)
    {
        // [::1]:port, host:port, or a host alone.
        var colon = endpoint.LastIndexOf(':');
        var bracket = endpoint.LastIndexOf(']');
        if (colon < 0 || colon < bracket) return new DnsEndPoint(endpoint.Trim('[', ']'), defaultPort);
        return new DnsEndPoint(endpoint[..colon].Trim('[', ']'), int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays) await relay.DisposeAsync();
    }
}
