namespace Padlock.Etcd;

/// <summary>Options of the etcd store (<c>etcd://host:port[,host:port...]/prefix?ttl=30s&amp;connecttimeout=5s&amp;requesttimeout=5s</c>). Checked when the store is built.</summary>
public sealed class EtcdLockOptions
{
    /// <summary>The client endpoints, "host:port" each (port 2379 when omitted). Requests move to the next when one fails. Default: 127.0.0.1:2379.</summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>
    /// The key prefix under which lock keys live (<c>PREFIX/#/NAME/...</c>). Default "padlock"; no leading or trailing
    /// '/', and no '#' (it marks where the prefix ends, which keeps the locks of nested prefixes apart).
    /// </summary>
    public string Prefix { get; set; } = "padlock";

    /// <summary>
    /// The session lease's time to live (URI <c>ttl</c>): how long the locks of a process that stops renewing survive it.
    /// Renewed every third of it. Whole seconds, 2 s to 1 h. Default 30 s.
    /// </summary>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to keep trying the endpoints (URI <c>connecttimeout</c>) before <see cref="EtcdUnavailableException"/>.
    /// Also the budget for moving to another member when one fails. 100 ms to 5 min. Default 5 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The deadline of one request to one member (URI <c>requesttimeout</c>); past it, the next member is tried. 100 ms to 5 min. Default 5 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (Endpoints.Count == 0) Endpoints.Add("127.0.0.1:2379");
        foreach (var e in Endpoints)
        {
            if (string.IsNullOrWhiteSpace(e) || e.Contains('/', StringComparison.Ordinal) || e.Any(char.IsWhiteSpace))
                throw new ArgumentException($"EtcdLockOptions.Endpoints has '{e}': expected host:port.", nameof(Endpoints));
        }
        if (Prefix is null || Prefix.Length == 0 || Prefix.StartsWith('/') || Prefix.EndsWith('/'))
            throw new ArgumentException($"EtcdLockOptions.Prefix '{Prefix}' must be non-empty and must not start or end with '/'.", nameof(Prefix));
        if (Prefix.Contains(Mutex.LockKeys.Marker, StringComparison.Ordinal))
            throw new ArgumentException($"EtcdLockOptions.Prefix '{Prefix}' contains '{Mutex.LockKeys.Marker}', which marks where the prefix ends in every lock key: use any other characters.", nameof(Prefix));
        if (SessionTtl < TimeSpan.FromSeconds(2) || SessionTtl > TimeSpan.FromHours(1) || SessionTtl.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentOutOfRangeException(nameof(SessionTtl), SessionTtl, "EtcdLockOptions.SessionTtl must be whole seconds between 2s and 1h.");
        Check(ConnectTimeout, nameof(ConnectTimeout));
        Check(RequestTimeout, nameof(RequestTimeout));
    }

    private static void Check(TimeSpan value, string name)
    {
        if (value < TimeSpan.FromMilliseconds(100) || value > TimeSpan.FromMinutes(5))
            throw new ArgumentOutOfRangeException(name, value, $"EtcdLockOptions.{name} must be between 100ms and 5m.");
    }
}
