using Padlock.Stores;

namespace Padlock.Redis;

/// <summary>
/// Builds Redis stores from URIs: <c>redis://host:port[,host:port...]?options</c> (one logical Redis; several
/// endpoints are seeds of the same deployment, e.g. a Redis Cluster) and <c>redlock://h1:p1,h2:p2,h3:p3?options</c>
/// (independent masters); <c>rediss://</c> is <c>redis://</c> over TLS. Options: lease, renew, prefix, connecttimeout,
/// fallback, password; tls, cafile, certfile, keyfile, tlshost (see <see cref="RedisLockOptions.UseTls"/>); sentinel (redis:// only:
/// the endpoints are Sentinels and this is the master's service name); slice and batch (redis:// only, see
/// <see cref="RedisLockOptions.HandOffSlice"/>); drift (redlock:// only).
/// Found by <see cref="LockProvider.Create(string, Microsoft.Extensions.Logging.ILoggerFactory?)"/> when this package is referenced.
/// </summary>
public sealed class RedisLockStoreFactory : ILockStoreFactory
{
    /// <summary>The default port when an endpoint has none.</summary>
    public const int DefaultPort = 6379;

    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes => ["redis", "rediss", "redlock"];

    /// <inheritdoc/>
    /// <remarks>The key prefix and the Sentinel service change where keys live; every other option does not.</remarks>
    public string GetIdentity(StoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var keySpace = new List<(string, string)> { ("prefix", uri.GetString("prefix") ?? RedisLockOptions.DefaultKeyPrefix) };
        if (uri.GetString("sentinel") is { } service) keySpace.Add(("sentinel", service));
        // rediss:// reaches the same keys as redis://.
        return StoreIdentity.Canonical(uri.Scheme == "rediss" ? "redis" : uri.Scheme, uri.Endpoints, DefaultPort, "", [.. keySpace]);
    }

    /// <inheritdoc/>
    public ILockStore Create(StoreUri uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        var redlock = uri.Scheme == "redlock";
        if (uri.Scheme is not ("redis" or "rediss" or "redlock"))
            throw new ArgumentException($"'{uri.Display}' is not a Redis URI: expected redis://, rediss:// or redlock://.", nameof(uri));
        if (uri.Scheme == "rediss" && uri.GetString("tls") is not null)
            throw new ArgumentException($"'{uri.Display}' sets tls with rediss://, which always uses TLS: drop the option.", nameof(uri));
        if (redlock) uri.EnsureOnlyKeys([.. SharedKeys, RedisLockOptions.ClockDriftFactorSetting.UriKey]);
        else uri.EnsureOnlyKeys([.. SharedKeys, "sentinel", RedisLockOptions.HandOffSliceSetting.UriKey, RedisLockOptions.HandOffBatchSetting.UriKey]);
        if (uri.Endpoints.Count == 0)
            throw new ArgumentException($"'{uri.Display}' names no server: expected {uri.Scheme}://host:port[,host:port...].", nameof(uri));
        if (uri.Path.Length > 0)
            throw new ArgumentException($"'{uri.Display}' has a path '/{uri.Path}', which {uri.Scheme}:// does not use (set a key prefix with ?prefix=).", nameof(uri));

        if (uri.Password is not null && uri.GetString("password") is not null)
            throw new ArgumentException($"'{uri.Display}' gives the password twice: use either user:password@host or ?password=.", nameof(uri));
        // Defaults and ranges come from RedisLockOptions' settings; the relations between options (renew against the
        // lease and drift) are checked once, by Validate, which words its message for the URI.
        var options = new RedisLockOptions
        {
            Endpoints = [.. uri.EndpointsOrDefault("localhost", DefaultPort).Select(e => $"{(e.Host.Contains(':', StringComparison.Ordinal) ? "[" + e.Host + "]" : e.Host)}:{e.Port}")],
            Lease = RedisLockOptions.LeaseSetting.Read(uri),
            RenewInterval = uri.GetString("renew") is null ? null : uri.GetDuration("renew", RedisLockOptions.MinRenewInterval, RedisLockOptions.MinRenewInterval, RedisLockOptions.LeaseSetting.Max),
            KeyPrefix = uri.GetString("prefix") ?? RedisLockOptions.DefaultKeyPrefix,
            ConnectTimeout = RedisLockOptions.ConnectTimeoutSetting.Read(uri),
            FallbackInterval = RedisLockOptions.FallbackIntervalSetting.Read(uri),
            User = uri.UserName,
            Password = uri.Password ?? uri.GetString("password"),
            SentinelServiceName = uri.GetString("sentinel"),
            UseTls = uri.Scheme == "rediss" || uri.GetBool("tls", false),
            TlsCaFile = uri.GetString("cafile"),
            TlsCertificateFile = uri.GetString("certfile"),
            TlsKeyFile = uri.GetString("keyfile"),
            TlsHost = uri.GetString("tlshost"),
            HandOffSlice = redlock ? RedisLockOptions.HandOffSliceSetting.Default : RedisLockOptions.HandOffSliceSetting.Read(uri),
            HandOffBatch = redlock ? (int)RedisLockOptions.HandOffBatchSetting.Default
                : uri.GetInt(RedisLockOptions.HandOffBatchSetting.UriKey, (int)RedisLockOptions.HandOffBatchSetting.Default, (int)RedisLockOptions.HandOffBatchSetting.Min, (int)RedisLockOptions.HandOffBatchSetting.Max),
            ClockDriftFactor = redlock ? RedisLockOptions.ClockDriftFactorSetting.Read(uri) : RedisLockOptions.ClockDriftFactorSetting.Default,
        };
        return redlock ? RedlockLockStore.FromUri(options, uri.Display, context) : RedisLockStore.FromUri(options, uri.Display, context);
    }

    private static readonly string[] SharedKeys =
    [
        RedisLockOptions.LeaseSetting.UriKey, "renew", "prefix", RedisLockOptions.ConnectTimeoutSetting.UriKey,
        RedisLockOptions.FallbackIntervalSetting.UriKey, "password", "tls", "cafile", "certfile", "keyfile", "tlshost",
    ];
}
