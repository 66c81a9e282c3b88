namespace Padlock.Redis;

/// <summary>
/// Options of the Redis stores (<c>redis://</c> and <c>redlock://</c>). Checked when a store is built; each
/// property says its default and allowed range, and the URI query key that sets it.
/// </summary>
public sealed class RedisLockOptions
{
    /// <summary>
    /// The servers, as "host:port". For <see cref="RedisLockStore"/> they are one logical Redis (a standalone server,
    /// or seeds of a Redis Cluster); for <see cref="RedlockLockStore"/> each is an independent master. Required.
    /// </summary>
    public IList<string> Endpoints { get; set; } = [];

    /// <summary>How long a hold lives without renewal (the key's expiry). Default 30 s; 100 ms to 1 h. URI: <c>lease</c>.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a holder renews its lease. Default: a third of <see cref="Lease"/>. Must be at least 10 ms and shorter
    /// than the lease minus the loss margin (a tenth of the lease, or Redlock's drift allowance when larger). URI: <c>renew</c>.
    /// </summary>
    public TimeSpan? RenewInterval { get; set; }

    /// <summary>Prefix of every key and of the wake-up channel. Default "padlock:"; 1 to 100 characters, no '{' or '}'. URI: <c>prefix</c>.</summary>
    public string KeyPrefix { get; set; } = "padlock:";

    /// <summary>How long to wait for a connection (and for each command) before failing with an error naming the endpoint. Default 5 s; 100 ms to 5 min. URI: <c>connecttimeout</c>.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest time a waiter goes without checking the lock itself, in case a wake-up message was lost or a holder's
    /// lease ran out without a release. Default 250 ms; 10 ms to 10 s. URI: <c>fallback</c>.
    /// </summary>
    public TimeSpan FallbackInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// <see cref="RedisLockStore"/> only: the Sentinel service name. When set, <see cref="Endpoints"/> are Sentinels and
    /// the store connects to the master they name, following failovers. Default none. URI: <c>sentinel</c>.
    /// </summary>
    public string? SentinelServiceName { get; set; }

    /// <summary>Password for AUTH, if the servers need one. Default none. URI: <c>password</c>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Redlock only: the clock-drift allowance as a fraction of the lease, subtracted from the validity time
    /// (plus 2 ms). Default 0.01; 0 to 0.5. URI: <c>drift</c>.
    /// </summary>
    public double ClockDriftFactor { get; set; } = 0.01;

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

    internal void Validate(bool redlock)
    {
        if (Endpoints is null || Endpoints.Count == 0)
            throw new ArgumentException("RedisLockOptions.Endpoints needs at least one \"host:port\".", nameof(Endpoints));
        foreach (var e in Endpoints)
        {
            if (string.IsNullOrWhiteSpace(e))
                throw new ArgumentException("RedisLockOptions.Endpoints has an empty entry: expected \"host:port\".", nameof(Endpoints));
        }
        if (redlock && Endpoints.Count < 3)
            throw new ArgumentException($"Redlock needs at least 3 independent masters (got {Endpoints.Count}); use redis:// for a single logical Redis.", nameof(Endpoints));
        Check(Lease, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), nameof(Lease));
        if (RenewInterval is { } renew && (renew < TimeSpan.FromMilliseconds(10) || renew >= Lease - LossMargin))
            throw new ArgumentOutOfRangeException(nameof(RenewInterval), renew,
                $"RedisLockOptions.RenewInterval must be at least 10ms and shorter than the lease minus the loss margin ({Durations.Format(Lease - LossMargin)} for a {Durations.Format(Lease)} lease).");
        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix.Length > 100 || KeyPrefix.IndexOfAny(['{', '}']) >= 0)
            throw new ArgumentException($"RedisLockOptions.KeyPrefix '{KeyPrefix}' must be 1 to 100 characters without '{{' or '}}' (they would change the hash slot).", nameof(KeyPrefix));
        if (redlock && SentinelServiceName is not null)
            throw new ArgumentException("RedisLockOptions.SentinelServiceName is for redis:// only: Redlock's masters are independent servers.", nameof(SentinelServiceName));
        if (SentinelServiceName is { } service && string.IsNullOrWhiteSpace(service))
            throw new ArgumentException("RedisLockOptions.SentinelServiceName must be a service name such as \"mymaster\", or null.", nameof(SentinelServiceName));
        Check(ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), nameof(ConnectTimeout));
        Check(FallbackInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), nameof(FallbackInterval));
        if (double.IsNaN(ClockDriftFactor) || ClockDriftFactor < 0 || ClockDriftFactor > 0.5)
            throw new ArgumentOutOfRangeException(nameof(ClockDriftFactor), ClockDriftFactor, "RedisLockOptions.ClockDriftFactor must be between 0 and 0.5.");
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"RedisLockOptions.{name} must be between {Durations.Format(min)} and {Durations.Format(max)}.");
    }
}
