using System.Net;
using Padlock.ZooKeeper.Client;

namespace Padlock.ZooKeeper;

/// <summary>Options of the ZooKeeper store (<c>zk://host:port[,host:port...]/root</c>). Checked when the store is built.</summary>
public sealed class ZooKeeperLockOptions
{
    /// <summary>The ensemble's servers, <c>host:port</c> each. Required.</summary>
    public IList<string> Servers { get; set; } = [];

    /// <summary>The node under which each lock has its own node. Default <c>/padlock</c>; created when missing.</summary>
    public string Root { get; set; } = "/padlock";

    /// <summary>
    /// The session timeout asked for (the server clamps it, by default to 4 s to 40 s). A holder whose process dies
    /// keeps its locks this long. Default 10 s; 1 s to 10 min.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the first connection may take, every server tried; an unreachable ensemble fails after this. Default 5 s; 10 ms to 10 min.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one request may wait for its reply, including waiting for a reconnect. Default 10 s; 10 ms to 10 min.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The part of the negotiated session timeout without any message from the ensemble after which held locks count
    /// as lost (their <see cref="ILockHandle.LostToken"/> fires). The server may expire the session once the whole
    /// timeout has passed, and then gives the lock to the next waiter; the holder must stop before that, and cannot
    /// tell while disconnected. Default 0.6; 0.1 to 0.9.
    /// </summary>
    public double DisconnectLossFraction { get; set; } = 0.6;

    internal void Validate()
    {
        if (Servers is null || Servers.Count == 0)
            throw new ArgumentException("ZooKeeperLockOptions.Servers needs at least one host:port, e.g. 127.0.0.1:2181.", nameof(Servers));
        foreach (var server in Servers)
        {
            if (string.IsNullOrWhiteSpace(server) || server.Contains('/', StringComparison.Ordinal) || server.Contains(',', StringComparison.Ordinal))
                throw new ArgumentException($"ZooKeeperLockOptions.Servers has '{server}', which is not host:port.", nameof(Servers));
        }
        _ = ConnectString.Parse(string.Join(",", Servers));
        ZkPaths.Validate(Root, paramName: nameof(Root));
        if (Root == "/" || Root == "/zookeeper" || Root.StartsWith("/zookeeper/", StringComparison.Ordinal))
            throw new ArgumentException($"ZooKeeperLockOptions.Root '{Root}' is reserved; use a node of its own such as /padlock.", nameof(Root));
        Check(SessionTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), nameof(SessionTimeout));
        Check(ConnectTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10), nameof(ConnectTimeout));
        Check(RequestTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10), nameof(RequestTimeout));
        if (double.IsNaN(DisconnectLossFraction) || DisconnectLossFraction < 0.1 || DisconnectLossFraction > 0.9)
            throw new ArgumentOutOfRangeException(nameof(DisconnectLossFraction), DisconnectLossFraction, "ZooKeeperLockOptions.DisconnectLossFraction must be between 0.1 and 0.9.");
    }

    internal IReadOnlyList<DnsEndPoint> Endpoints => ConnectString.Parse(string.Join(",", Servers)).Servers;

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"ZooKeeperLockOptions.{name} must be between {Durations.Format(min)} and {Durations.Format(max)}.");
    }
}
