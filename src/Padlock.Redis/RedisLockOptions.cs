using Padlock.Stores;

namespace Padlock.Redis;

/// <summary>
/// Options of the Redis stores (<c>redis://</c> and <c>redlock://</c>). Checked when a store is built; each
/// property says its default and allowed range, and the URI query key that sets it.
/// </summary>
public sealed class RedisLockOptions
{
    // Each default and range is declared here once; Validate, the URI factory and the XML docs (checked by a test) follow it.
    internal static readonly DurationSetting LeaseSetting =
        new(nameof(RedisLockOptions), nameof(Lease), "lease", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

    internal static readonly DurationSetting ConnectTimeoutSetting =
        new(nameof(RedisLockOptions), nameof(ConnectTimeout), "connecttimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));

    internal static readonly DurationSetting FallbackIntervalSetting =
        new(nameof(RedisLockOptions), nameof(FallbackInterval), "fallback", TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));

    internal static readonly NumberSetting ClockDriftFactorSetting =
        new(nameof(RedisLockOptions), nameof(ClockDriftFactor), "drift", 0.01, 0, 0.5);

    internal static readonly DurationSetting HandOffSliceSetting =
        new(nameof(RedisLockOptions), nameof(HandOffSlice), "slice", TimeSpan.FromMilliseconds(2), TimeSpan.Zero, TimeSpan.FromSeconds(1));

    internal static readonly NumberSetting HandOffBatchSetting =
        new(nameof(RedisLockOptions), nameof(HandOffBatch), "batch", 64, 1, Cohort.CohortHold.Block);

    /// <summary>Every setting with a fixed default and range.</summary>
    internal static IReadOnlyList<StoreSetting> Settings =>
        [LeaseSetting, ConnectTimeoutSetting, FallbackIntervalSetting, ClockDriftFactorSetting, HandOffSliceSetting, HandOffBatchSetting];

    /// <summary>The shortest renewal interval; the longest depends on the lease (see <see cref="RenewInterval"/>).</summary>
    internal static readonly TimeSpan MinRenewInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The key prefix when none is set.</summary>
    internal const string DefaultKeyPrefix = "padlock:";

    /// <summary>
    /// The servers, as "host:port". For <see cref="RedisLockStore"/> they are one logical Redis (a standalone server,
    /// or seeds of a Redis Cluster); for <see cref="RedlockLockStore"/> each is an independent master. Required.
    /// </summary>
    public IList<string> Endpoints { get; set; } = [];

    /// <summary>How long a hold lives without renewal (the key's expiry). Default 30s; 100ms to 60m. URI: lease.</summary>
    public TimeSpan Lease { get; set; } = LeaseSetting.Default;

    /// <summary>
    /// How often a holder renews its lease. Default: a third of <see cref="Lease"/>. Must be at least 10 ms and shorter
    /// than the lease minus the loss margin (a tenth of the lease, or Redlock's drift allowance when larger). URI: <c>renew</c>.
    /// </summary>
    public TimeSpan? RenewInterval { get; set; }

    /// <summary>Prefix of every key and of the wake-up channel. Default "padlock:"; 1 to 100 characters, no '{' or '}'. URI: <c>prefix</c>.</summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>
    /// How long to wait for a connection (and for each command) before failing with a
    /// <see cref="LockStoreUnavailableException"/> naming the endpoints. Default 5s; 100ms to 5m. URI: connecttimeout.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = ConnectTimeoutSetting.Default;

    /// <summary>
    /// Longest time a waiter goes without checking the lock itself, in case a wake-up message was lost or a holder's
    /// lease ran out without a release. Default 250ms; 10ms to 10s. URI: fallback.
    /// </summary>
    public TimeSpan FallbackInterval { get; set; } = FallbackIntervalSetting.Default;

    /// <summary>
    /// <see cref="RedisLockStore"/> only: how long this store may keep passing a lock among its own callers while
    /// another process waits for it (bounded batching). Callers of one store that want the same lock line up in memory,
    /// and a release hands the lock to the next of them without a round trip; once another process waits, that goes on
    /// only until the store's turn (from when Redis granted it the lock) has lasted this long or served
    /// <see cref="HandOffBatch"/> grants, and the next release gives the lock to the first process in the Redis line. A
    /// waiting process so waits at most a slice plus the hold in progress per process ahead of it. Zero: strict
    /// first-come-first-served between processes (the lock goes back at the first release once another process waits).
    /// Default 2ms; 0ms to 1s. URI: slice.
    /// </summary>
    public TimeSpan HandOffSlice { get; set; } = HandOffSliceSetting.Default;

    /// <summary>
    /// <see cref="RedisLockStore"/> only: the most grants a store's turn serves among its own callers while another
    /// process waits (with <see cref="HandOffSlice"/>, whichever ends the turn first). Default 64; 1 to 256. URI: batch.
    /// </summary>
    public int HandOffBatch { get; set; } = (int)HandOffBatchSetting.Default;

    /// <summary>
    /// <see cref="RedisLockStore"/> only: the Sentinel service name. When set, <see cref="Endpoints"/> are Sentinels and
    /// the store connects to the master they name, following failovers. Default none. URI: <c>sentinel</c>.
    /// </summary>
    public string? SentinelServiceName { get; set; }

    /// <summary>
    /// Password for AUTH, if the servers need one. Default none. URI: <c>redis://:password@host</c> or
    /// <c>redis://user:password@host</c> (percent-encoded), or the <c>password</c> option; never shown in messages.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>The ACL user for AUTH (Redis 6+), with <see cref="Password"/>. Default none (the default user). URI: <c>redis://user:password@host</c>.</summary>
    public string? User { get; set; }

    /// <summary>
    /// Connect with TLS. Default false. URI: the <c>rediss://</c> scheme, or <c>tls=true</c> (the only way for
    /// <c>redlock://</c>, where it applies to every master). The server's certificate must be trusted (by the machine, or
    /// by <see cref="TlsCaFile"/>) and carry the endpoint's host name or IP address (or <see cref="TlsHost"/>).
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// A PEM file of the certificate authorities that sign the servers' certificates, trusted for this store only
    /// (instead of the machine's store), for a private CA. Default none: the machine's trusted roots. Needs
    /// <see cref="UseTls"/>. URI: <c>cafile</c>.
    /// </summary>
    public string? TlsCaFile { get; set; }

    /// <summary>
    /// A PEM file with the client certificate to present, for servers that ask for one (<c>tls-auth-clients</c>).
    /// Default none. Its key is in <see cref="TlsKeyFile"/>, or in this file. Needs <see cref="UseTls"/>. URI: <c>certfile</c>.
    /// </summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The PEM file with the private key of <see cref="TlsCertificateFile"/>. Default none (the key is in the certificate's file). URI: <c>keyfile</c>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>
    /// The host name the servers' certificates must carry, when it differs from the endpoints' host (e.g. connecting by
    /// IP address to a certificate issued for a name). Default none: each endpoint's own host. URI: <c>tlshost</c>.
    /// </summary>
    public string? TlsHost { get; set; }

    /// <summary>
    /// Redlock only: the clock-drift allowance as a fraction of the lease, subtracted from the validity time
    /// (plus 2 ms). Default 0.01; 0 to 0.5. URI: drift.
    /// </summary>
    public double ClockDriftFactor { get; set; } = ClockDriftFactorSetting.Default;

    /// <summary>The renewal interval in force: <see cref="RenewInterval"/> or a third of the lease.</summary>
    internal TimeSpan EffectiveRenewInterval => RenewInterval ?? Lease / 3;

    /// <summary>
    /// How long before the lease's end a hold counts as lost when renewals fail: a tenth of the lease, or Redlock's own
    /// drift allowance (lease × <see cref="ClockDriftFactor"/> + 2 ms) when larger, so a holder is never told it holds
    /// for longer than Redlock's validity time says it may.
    /// </summary>
    internal TimeSpan LossMargin
    {
        get
        {
            var drift = TimeSpan.FromTicks((long)(Lease.Ticks * ClockDriftFactor)) + TimeSpan.FromMilliseconds(2);
            return drift > Lease / 10 ? drift : Lease / 10;
        }
    }

    /// <summary>How long a waiter stays in the queue without checking in before it counts as dead and leaves the line.</summary>
    internal TimeSpan WaiterTimeToLive => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(2).Ticks, FallbackInterval.Ticks * 8));

    /// <summary>A copy with its own endpoint list, so a store never shares the caller's mutable object.</summary>
    internal RedisLockOptions Clone()
    {
        var copy = (RedisLockOptions)MemberwiseClone();
        copy.Endpoints = Endpoints is null ? null! : [.. Endpoints];
        return copy;
    }

    /// <summary>
    /// For a store over the application's own connection: the options that belong to the connection (endpoints,
    /// credentials, TLS, Sentinel) must be left unset, and the endpoints become <paramref name="endpoints"/> (for messages).
    /// </summary>
    internal RedisLockOptions ForConnection(IReadOnlyList<string> endpoints, string source)
    {
        if (Endpoints is { Count: > 0 } || Password is not null || User is not null || UseTls || SentinelServiceName is not null
            || (TlsCaFile ?? TlsCertificateFile ?? TlsKeyFile ?? TlsHost) is not null)
            throw new ArgumentException($"RedisLockOptions.Endpoints, User, Password, Sentinel and TLS options belong to {source}: leave them unset here.", "options");
        var copy = Clone();
        copy.Endpoints = [.. endpoints];
        return copy;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for the first invalid option.</summary>
    /// <param name="redlock">True for <see cref="RedlockLockStore"/>.</param>
    /// <param name="uri">The URI the options came from, when they did: messages then name it, and the parameter is "uri".</param>
    internal void Validate(bool redlock, string? uri = null)
    {
        // Messages are built here with or without the URI, never reworded from another exception's text.
        ArgumentException Error(string property, string text)
            => uri is null ? new ArgumentException(text, property) : new ArgumentException($"{text} In '{uri}'.", "uri");

        if (Endpoints is null || Endpoints.Count == 0)
            throw Error(nameof(Endpoints), "RedisLockOptions.Endpoints needs at least one \"host:port\".");
        foreach (var e in Endpoints)
        {
            if (string.IsNullOrWhiteSpace(e))
                throw Error(nameof(Endpoints), "RedisLockOptions.Endpoints has an empty entry: expected \"host:port\".");
        }
        if (redlock && Endpoints.Count < 3)
            throw Error(nameof(Endpoints), $"Redlock needs at least 3 independent masters (got {Endpoints.Count}); use redis:// for a single logical Redis.");
        LeaseSetting.Check(Lease, uri);
        if (RenewInterval is { } renew && (renew < MinRenewInterval || renew >= Lease - LossMargin))
        {
            var text = $"RedisLockOptions.RenewInterval = {Durations.Format(renew)} is out of range: allowed {Durations.Format(MinRenewInterval)} up to, not including, the lease minus the loss margin ({Durations.Format(Lease - LossMargin)} for a {Durations.Format(Lease)} lease) (URI option 'renew').";
            throw uri is null ? new ArgumentOutOfRangeException(nameof(RenewInterval), renew, text) : Error(nameof(RenewInterval), text);
        }
        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix.Length > 100 || KeyPrefix.IndexOfAny(['{', '}']) >= 0)
            throw Error(nameof(KeyPrefix), $"RedisLockOptions.KeyPrefix '{KeyPrefix}' must be 1 to 100 characters without '{{' or '}}' (they would change the hash slot).");
        if (redlock && SentinelServiceName is not null)
            throw Error(nameof(SentinelServiceName), "RedisLockOptions.SentinelServiceName is for redis:// only: Redlock's masters are independent servers.");
        if (SentinelServiceName is { } service && string.IsNullOrWhiteSpace(service))
            throw Error(nameof(SentinelServiceName), "RedisLockOptions.SentinelServiceName must be a service name such as \"mymaster\", or null.");
        if (!UseTls && (TlsCaFile ?? TlsCertificateFile ?? TlsKeyFile ?? TlsHost) is not null)
            throw Error(nameof(UseTls), "RedisLockOptions.TlsCaFile, TlsCertificateFile, TlsKeyFile and TlsHost need TLS: set UseTls (URI: rediss:// or tls=true).");
        if (TlsKeyFile is not null && TlsCertificateFile is null)
            throw Error(nameof(TlsKeyFile), "RedisLockOptions.TlsKeyFile is the key of TlsCertificateFile (URI option 'certfile'), which is not set.");
        ConnectTimeoutSetting.Check(ConnectTimeout, uri);
        FallbackIntervalSetting.Check(FallbackInterval, uri);
        ClockDriftFactorSetting.Check(ClockDriftFactor, uri);
        HandOffSliceSetting.Check(HandOffSlice, uri);
        HandOffBatchSetting.Check(HandOffBatch, uri);
    }
}
