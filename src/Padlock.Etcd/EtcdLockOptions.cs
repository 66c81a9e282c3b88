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

    /// <summary>The endpoints in force: <see cref="Endpoints"/>, or the default when it is empty (the caller's list is never changed).</summary>
    internal IReadOnlyList<string> EffectiveEndpoints => Endpoints.Count == 0 ? [DefaultEndpoint] : [.. Endpoints];

    /// <summary>A copy with its own endpoint list, so a store never shares the caller's mutable object.</summary>
    internal EtcdLockOptions Clone()
    {
        var copy = new EtcdLockOptions { Prefix = Prefix, SessionTtl = SessionTtl, ConnectTimeout = ConnectTimeout, RequestTimeout = RequestTimeout };
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
    }
}
