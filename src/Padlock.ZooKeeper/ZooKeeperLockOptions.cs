using System.Net;
using Padlock.Stores;
using Padlock.ZooKeeper.Client;

namespace Padlock.ZooKeeper;

/// <summary>
/// Options of the ZooKeeper store (<c>zk://host:port[,host:port...]/root</c>). Checked when the store is built, which
/// keeps a copy: changing this object afterwards does not change the store. Each property says its default, allowed
/// range and URI key.
/// </summary>
public sealed class ZooKeeperLockOptions
{
    // Each default and range is declared here once; Validate, the URI factory and the XML docs (checked by a test) follow it.
    internal static readonly DurationSetting SessionTimeoutSetting =
        new(nameof(ZooKeeperLockOptions), nameof(SessionTimeout), "sessiontimeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));

    internal static readonly DurationSetting ConnectTimeoutSetting =
        new(nameof(ZooKeeperLockOptions), nameof(ConnectTimeout), "connecttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));

    internal static readonly DurationSetting RequestTimeoutSetting =
        new(nameof(ZooKeeperLockOptions), nameof(RequestTimeout), "requesttimeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));

    internal static readonly NumberSetting DisconnectLossFractionSetting =
        new(nameof(ZooKeeperLockOptions), nameof(DisconnectLossFraction), "lossfraction", 0.6, 0.1, 0.9);

    /// <summary>Every setting with a default and a range.</summary>
    internal static IReadOnlyList<StoreSetting> Settings => [SessionTimeoutSetting, ConnectTimeoutSetting, RequestTimeoutSetting, DisconnectLossFractionSetting];

    /// <summary>The root when none is given.</summary>
    internal const string DefaultRoot = "/padlock";

    /// <summary>The ensemble's servers, <c>host:port</c> each. Required.</summary>
    public IList<string> Servers { get; set; } = [];

    /// <summary>The node under which each lock has its own node. Default <c>/padlock</c>; created when missing.</summary>
    public string Root { get; set; } = DefaultRoot;

    /// <summary>
    /// The user of ZooKeeper's digest authentication, sent with <see cref="Password"/> on every (re)connect, for a root
    /// whose ACL admits only some identities. Default none (the anonymous identity). URI: <c>zk://user:password@host</c> (percent-encoded).
    /// </summary>
    public string? User { get; set; }

    /// <summary>The password of <see cref="User"/>; never shown in messages. Default none.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Talk TLS to every server; the servers' ports are then their <c>secureClientPort</c>. Default false. URI:
    /// <c>tls=true</c>. The servers' certificates must be trusted (by the machine, or by <see cref="TlsCaFile"/>) and
    /// carry the host name or IP address connected to.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>A PEM file of the CAs that sign the servers' certificates, trusted for this store only. Default none (the machine's roots). Needs <see cref="UseTls"/>. URI: <c>cafile</c>.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>A PEM file with the client certificate to present (<c>ssl.clientAuth=need</c>). Default none. Needs <see cref="UseTls"/>. URI: <c>certfile</c>.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The PEM file with the key of <see cref="TlsCertificateFile"/>. Default none (the key is in the certificate's file). URI: <c>keyfile</c>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>
    /// The session timeout asked for (the server clamps it, by default to 4 s to 40 s). A holder whose process dies
    /// keeps its locks this long. Default 10s; 1s to 10m. URI: sessiontimeout.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = SessionTimeoutSetting.Default;

    /// <summary>
    /// How long the first connection may take, every server tried; an unreachable ensemble fails after this with a
    /// <see cref="LockStoreUnavailableException"/> naming the servers. Default 5s; 10ms to 10m. URI: connecttimeout.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = ConnectTimeoutSetting.Default;

    /// <summary>How long one request may wait for its reply, including waiting for a reconnect. Default 10s; 10ms to 10m. URI: requesttimeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = RequestTimeoutSetting.Default;

    /// <summary>
    /// The part of the negotiated session timeout without any message from the ensemble after which held locks count
    /// as lost (their <see cref="ILockHandle.LostToken"/> fires). The server may expire the session once the whole
    /// timeout has passed, and then gives the lock to the next waiter; the holder must stop before that, and cannot
    /// tell while disconnected. Default 0.6; 0.1 to 0.9. URI: lossfraction.
    /// </summary>
    public double DisconnectLossFraction { get; set; } = DisconnectLossFractionSetting.Default;

    /// <summary>A copy with its own server list, so a store never shares the caller's mutable object.</summary>
    internal ZooKeeperLockOptions Clone()
    {
        var copy = (ZooKeeperLockOptions)MemberwiseClone();
        copy.Servers = Servers is null ? null! : [.. Servers];
        return copy;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for the first invalid option.</summary>
    /// <param name="uri">The URI the options came from, when they did: messages then name it, and the parameter is "uri".</param>
    internal void Validate(string? uri = null)
    {
        // Messages are built here with or without the URI, never reworded from another exception's text.
        ArgumentException Error(string property, string text)
            => uri is null ? new ArgumentException(text, property) : new ArgumentException($"{text} In '{uri}'.", "uri");

        if (Servers is null || Servers.Count == 0)
            throw Error(nameof(Servers), "ZooKeeperLockOptions.Servers needs at least one host:port, e.g. 127.0.0.1:2181.");
        foreach (var server in Servers)
        {
            if (string.IsNullOrWhiteSpace(server) || server.Contains('/', StringComparison.Ordinal) || server.Contains(',', StringComparison.Ordinal))
                throw Error(nameof(Servers), $"ZooKeeperLockOptions.Servers has '{server}', which is not host:port.");
        }
        if (!ConnectString.TryParse(string.Join(",", Servers), out _, out var badServers))
            throw Error(nameof(Servers), $"ZooKeeperLockOptions.Servers: {badServers}");
        if (Root is null)
            throw Error(nameof(Root), "ZooKeeperLockOptions.Root must be a node path such as /padlock.");
        if (ZkPaths.Problem(Root) is { } badRoot)
            throw Error(nameof(Root), $"ZooKeeperLockOptions.Root: {badRoot}");
        if (Root == "/" || Root == "/zookeeper" || Root.StartsWith("/zookeeper/", StringComparison.Ordinal))
            throw Error(nameof(Root), $"ZooKeeperLockOptions.Root '{Root}' is reserved; use a node of its own such as /padlock.");
        SessionTimeoutSetting.Check(SessionTimeout, uri);
        ConnectTimeoutSetting.Check(ConnectTimeout, uri);
        RequestTimeoutSetting.Check(RequestTimeout, uri);
        DisconnectLossFractionSetting.Check(DisconnectLossFraction, uri);
        if ((User is null) != (Password is null) || User is { Length: 0 } || (User?.Contains(':', StringComparison.Ordinal) ?? false))
            throw Error(nameof(User), "ZooKeeperLockOptions.User and Password go together (URI: zk://user:password@host), and the user has no ':'.");
        if (!UseTls && (TlsCaFile ?? TlsCertificateFile ?? TlsKeyFile) is not null)
            throw Error(nameof(UseTls), "ZooKeeperLockOptions.TlsCaFile, TlsCertificateFile and TlsKeyFile need TLS: set UseTls (URI: tls=true).");
        if (TlsKeyFile is not null && TlsCertificateFile is null)
            throw Error(nameof(TlsKeyFile), "ZooKeeperLockOptions.TlsKeyFile is the key of TlsCertificateFile (URI option 'certfile'), which is not set.");
    }

    internal IReadOnlyList<DnsEndPoint> Endpoints => ConnectString.Parse(string.Join(",", Servers)).Servers;
}
