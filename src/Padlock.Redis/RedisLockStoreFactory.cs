using Padlock.Stores;

namespace Padlock.Redis;

/// <summary>
/// Builds Redis stores from URIs: <c>redis://host:port[,host:port...]?options</c> (one logical Redis; several
/// endpoints are seeds of the same deployment, e.g. a Redis Cluster) and <c>redlock://h1:p1,h2:p2,h3:p3?options</c>
/// (independent masters). Options: lease, renew, prefix, connecttimeout, fallback, password; sentinel (redis:// only:
/// the endpoints are Sentinels and this is the master's service name); drift (redlock:// only).
/// Found by <see cref="LockProvider.Create(string, Microsoft.Extensions.Logging.ILoggerFactory?)"/> when this package is referenced.
/// </summary>
public sealed class RedisLockStoreFactory : ILockStoreFactory
{
    /// <summary>The default port when an endpoint has none.</summary>
    public const int DefaultPort = 6379;

    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes => ["redis", "redlock"];

    /// <inheritdoc/>
    /// <remarks>The key prefix and the Sentinel service change where keys live; every other option does not.</remarks>
    public string GetIdentity(StoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var keySpace = new List<(string, string)> { ("prefix", uri.GetString("prefix") ?? "padlock:") };
        if (uri.GetString("sentinel") is { } service) keySpace.Add(("sentinel", service));
        return StoreIdentity.Canonical(uri.Scheme, uri.Endpoints, DefaultPort, "", [.. keySpace]);
    }

    /// <inheritdoc/>
    public ILockStore Create(StoreUri uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        var redlock = uri.Scheme == "redlock";
        if (uri.Scheme is not ("redis" or "redlock"))
            throw new ArgumentException($"'{uri.Original}' is not a Redis URI: expected redis:// or redlock://.", nameof(uri));
        if (redlock) uri.EnsureOnlyKeys("lease", "renew", "prefix", "connecttimeout", "fallback", "password", "drift");
        else uri.EnsureOnlyKeys("lease", "renew", "prefix", "connecttimeout", "fallback", "password", "sentinel");
        if (uri.Endpoints.Count == 0)
            throw new ArgumentException($"'{uri.Original}' names no server: expected {uri.Scheme}://host:port[,host:port...].", nameof(uri));
        if (uri.Path.Length > 0)
            throw new ArgumentException($"'{uri.Original}' has a path '/{uri.Path}', which {uri.Scheme}:// does not use (set a key prefix with ?prefix=).", nameof(uri));

        var lease = uri.GetDuration("lease", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        var options = new RedisLockOptions
        {
            Endpoints = [.. uri.EndpointsOrDefault("localhost", DefaultPort).Select(e => $"{(e.Host.Contains(':', StringComparison.Ordinal) ? "[" + e.Host + "]" : e.Host)}:{e.Port}")],
            Lease = lease,
            RenewInterval = uri.GetString("renew") is null ? null : uri.GetDuration("renew", lease / 3, TimeSpan.FromMilliseconds(10), lease - lease / 10 - TimeSpan.FromTicks(1)),
            KeyPrefix = uri.GetString("prefix") ?? "padlock:",
            ConnectTimeout = uri.GetDuration("connecttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
            FallbackInterval = uri.GetDuration("fallback", TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10)),
            Password = uri.GetString("password"),
            SentinelServiceName = uri.GetString("sentinel"),
        };
        if (redlock) options.ClockDriftFactor = GetFraction(uri, "drift", 0.01, 0.5);
        try
        {
            return redlock ? new RedlockLockStore(options, context) : new RedisLockStore(options, context);
        }
        catch (ArgumentException ex) when (ex.ParamName != "uri")
        {
            // Re-word option errors in terms of the URI the user wrote.
            throw new ArgumentException($"{ex.Message.Split(" (Parameter")[0]} (in '{uri.Original}')", "uri", ex);
        }
    }

    private static double GetFraction(StoreUri uri, string key, double defaultValue, double max)
    {
        var raw = uri.GetString(key);
        if (raw is null) return defaultValue;
        if (!double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 0 || value > max)
            throw new ArgumentException($"Option '{key}={raw}' in '{uri.Original}' is out of range: expected a number from 0 to {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}.", "uri");
        return value;
    }
}
