using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Redis;

/// <summary>
/// One hold on Redis (single or Redlock): renewed on a cadence by <see cref="LeaseRenewal"/>, which cancels the lost
/// token when a renewal finds the key gone or someone else's, or when renewals keep failing until just before the
/// lease would run out. The store marks it lost and releases it when the store is disposed; release runs once, so the
/// holder's own later release is harmless.
/// </summary>
internal sealed class RedisLease : StoreLease
{
    private readonly LeaseRenewal _renewal;
    private readonly Func<ValueTask> _release;
    private readonly Action<RedisLease>? _ended;
    private int _released;

    /// <param name="fencingToken">The token the store assigned.</param>
    /// <param name="options">Lease, renewal cadence and loss margin.</param>
    /// <param name="grantedAt">Timestamp taken before the granting request was sent: the lease is counted from then.</param>
    /// <param name="renew">Compare-and-extend; false when the hold is no longer ours.</param>
    /// <param name="release">Compare-and-delete.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where renewal failures go.</param>
    /// <param name="ended">Told once the lease is released (the store stops tracking it).</param>
    public RedisLease(long fencingToken, RedisLockOptions options, long grantedAt, Func<CancellationToken, ValueTask<bool>> renew,
        Func<ValueTask> release, TimeProvider time, ILogger logger, Action<RedisLease>? ended = null)
    {
        FencingToken = fencingToken;
        _release = release;
        _ended = ended;
        _renewal = new LeaseRenewal(options.Lease, options.EffectiveRenewInterval, options.LossMargin, grantedAt, renew, time, logger);
    }

    /// <inheritdoc/>
    public override long FencingToken { get; }

    /// <inheritdoc/>
    public override CancellationToken LostToken => _renewal.LostToken;

    /// <summary>Reports the hold lost now (the store is being disposed); a released lease stays quiet.</summary>
    public void MarkLost()
    {
        if (Volatile.Read(ref _released) == 0) _renewal.MarkLost();
    }

    /// <inheritdoc/>
    public override async ValueTask ReleaseAsync()
    {
        // Once: the store's disposal and the holder may both release.
        if (Interlocked.Exchange(ref _released, 1) == 1) return;
        _ended?.Invoke(this);
        // Stopping the renewal and deleting the key go together, so the next holder does not wait for the renewal
        // loop to wind down. A renewal that races with the delete is harmless: it extends only our own token, and a
        // "not ours" answer after the stop is not reported as a loss.
        var stopping = _renewal.DisposeAsync();
        try
        {
            await _release().ConfigureAwait(false);
        }
        finally
        {
            await stopping.ConfigureAwait(false);
        }
    }
}
