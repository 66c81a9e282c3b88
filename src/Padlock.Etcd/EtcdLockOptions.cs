using Padlock.Stores;

namespace Padlock.Etcd;

/// <summary>
/// Options of the etcd store (<c>etcd://host:port[,host:port...]/prefix?ttl=30s&amp;connecttimeout=5s&amp;requesttimeout=5s</c>).
/// Checked when the store is built, which keeps a copy: changing this object afterwards does not change the store.
/// Each property says its default, allowed range and URI key.
/// </summary>
public sealed class EtcdLockOptions
{
    // Each default and range is declared here once; Validate, the URI factory and the XML docs (checked by a test) follow it.
    internal static readonly DurationSetting SessionTtlSetting =
        new(nameof(EtcdLockOptions), nameof(SessionTtl), "ttl", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), TimeSpan.FromHours(1));

    internal static readonly DurationSetting ConnectTimeoutSetting =
        new(nameof(EtcdLockOptions), nameof(ConnectTimeout), "connecttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));

    internal static readonly DurationSetting RequestTimeoutSetting =
        new(nameof(EtcdLockOptions), nameof(RequestTimeout), "requesttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));

    /// <summary>Every setting with a default and a range.</summary>
    internal static IReadOnlyList<StoreSetting> Settings => [SessionTtlSetting, ConnectTimeoutSetting, RequestTimeoutSetting];

    /// <summary>The endpoint used when <see cref="Endpoints"/> is empty.</summary>
    internal const string DefaultEndpoint = "127.0.0.1:2379";

    /// <summary>The prefix when none is given.</summary>
    internal const string DefaultPrefix = "padlock";

    /// <summary>The client endpoints, "host:port" each (port 2379 when omitted). Requests move to the next when one fails. Default (when empty): 127.0.0.1:2379.</summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>
    /// The key prefix under which lock keys live (<c>PREFIX/#/NAME/...</c>). Default "padlock"; no leading or trailing
    /// '/', and no '#' (it marks where the prefix ends, which keeps the locks of nested prefixes apart).
    /// </summary>
    public string Prefix { get; set; } = DefaultPrefix;

    /// <summary>
    /// The session lease's time to live: how long the locks of a process that stops renewing survive it. Renewed
    /// every third of it; whole seconds (etcd leases count in seconds). Default 30s; 2s to 60m. URI: ttl.
    /// </summary>
    public TimeSpan SessionTtl { get; set; } = SessionTtlSetting.Default;

    /// <summary>
    /// How long to keep trying the endpoints before <see cref="EtcdUnavailableException"/> (a
    /// <see cref="LockStoreUnavailableException"/>). Also the budget for moving to another member when one fails.
    /// Default 5s; 100ms to 5m. URI: connecttimeout.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = ConnectTimeoutSetting.Default;

    /// <summary>The deadline of one request to one member; past it, the next member is tried. Default 5s; 100ms to 5m. URI: requesttimeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = RequestTimeoutSetting.Default;

    /// <summary>
    /// Talk to the members over TLS (https). Default false. URI: <c>tls=true</c>. The members' certificates must be
    /// trusted (by the machine, or by <see cref="TlsCaFile"/>) and carry the endpoint's host name or IP address.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>A PEM file of the CAs that sign the members' certificates, trusted for this store only. Default none (the machine's roots). Needs <see cref="UseTls"/>. URI: <c>cafile</c>.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>A PEM file with the client certificate to present (etcd's <c>--client-cert-auth</c>). Default none. Needs <see cref="UseTls"/>. URI: <c>certfile</c>.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The PEM file with the key of <see cref="TlsCertificateFile"/>. Default none (the key is in the certificate's file). URI: <c>keyfile</c>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>
    /// The etcd user, for clusters with authentication enabled: the store authenticates with <see cref="Password"/>
    /// and sends the token with every request. Default none. URI: <c>etcd://user:password@host</c> (percent-encoded).
    /// </summary>
    public string? User { get; set; }

    /// <summary>The password of <see cref="User"/>; never shown in messages. Default none.</summary>
    public string? Password { get; set; }

    /// <summary>The endpoints in force: <see cref="Endpoints"/>, or the default when it is empty (the caller's list is never changed).</summary>
    internal IReadOnlyList<string> EffectiveEndpoints => Endpoints.Count == 0 ? [DefaultEndpoint] : [.. Endpoints];

    /// <summary>A copy with its own endpoint list, so a store never shares the caller's mutable object.</summary>
    internal EtcdLockOptions Clone()
    {
        var copy = new EtcdLockOptions
        {
            Prefix = Prefix,
            SessionTtl = SessionTtl,
            ConnectTimeout = ConnectTimeout,
            RequestTimeout = RequestTimeout,
            UseTls = UseTls,
            TlsCaFile = TlsCaFile,
            TlsCertificateFile = TlsCertificateFile,
            TlsKeyFile = TlsKeyFile,
            User = User,
            Password = Password,
        };
        foreach (var e in Endpoints) copy.Endpoints.Add(e);
        return copy;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for the first invalid option; changes nothing.</summary>
    /// <param name="uri">The URI the options came from, when they did: messages then name it, and the parameter is "uri".</param>
    internal void Validate(string? uri = null)
    {
        // Messages are built here with or without the URI, never reworded from another exception's text.
        ArgumentException Error(string property, string text)
            => uri is null ? new ArgumentException(text, property) : new ArgumentException($"{text} In '{uri}'.", "uri");

        foreach (var e in Endpoints)
        {
            if (string.IsNullOrWhiteSpace(e) || e.Contains('/', StringComparison.Ordinal) || e.Any(char.IsWhiteSpace))
                throw Error(nameof(Endpoints), $"EtcdLockOptions.Endpoints has '{e}': expected host:port.");
        }
        if (Prefix is null || Prefix.Length == 0 || Prefix.StartsWith('/') || Prefix.EndsWith('/'))
            throw Error(nameof(Prefix), $"EtcdLockOptions.Prefix '{Prefix}' must be non-empty and must not start or end with '/'.");
        if (Prefix.Contains(Mutex.LockKeys.Marker, StringComparison.Ordinal))
            throw Error(nameof(Prefix), $"EtcdLockOptions.Prefix '{Prefix}' contains '{Mutex.LockKeys.Marker}', which marks where the prefix ends in every lock key: use any other characters.");
        SessionTtlSetting.Check(SessionTtl, uri);
        if (SessionTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            var text = $"EtcdLockOptions.SessionTtl = {Durations.Format(SessionTtl)} must be whole seconds (etcd leases count in seconds) (URI option '{SessionTtlSetting.UriKey}').";
            throw uri is null ? new ArgumentOutOfRangeException(nameof(SessionTtl), SessionTtl, text) : Error(nameof(SessionTtl), text);
        }
        ConnectTimeoutSetting.Check(ConnectTimeout, uri);
        RequestTimeoutSetting.Check(RequestTimeout, uri);
        if (!UseTls && (TlsCaFile ?? TlsCertificateFile ?? TlsKeyFile) is not null)
            throw Error(nameof(UseTls), "EtcdLockOptions.TlsCaFile, TlsCertificateFile and TlsKeyFile need TLS: set UseTls (URI: tls=true).");
        if (TlsKeyFile is not null && TlsCertificateFile is null)
            throw Error(nameof(TlsKeyFile), "EtcdLockOptions.TlsKeyFile is the key of TlsCertificateFile (URI option 'certfile'), which is not set.");
        if ((User is null) != (Password is null) || User is { Length: 0 })
            throw Error(nameof(User), "EtcdLockOptions.User and Password go together: set both (URI: etcd://user:password@host) or neither.");
    }
}
