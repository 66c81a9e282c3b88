using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Redis;

/// <summary>
/// One hold on Redis (single or Redlock): renewed on a cadence by <see cref="LeaseRenewal"/>, which cancels the lost
/// token when a renewal finds the key gone or someone else's, or when renewals keep failing until just before the
/// lease would run out.
/// </summary>
internal sealed class RedisLease : StoreLease
{
    private readonly LeaseRenewal _renewal;
    private readonly Func<ValueTask> _release;

    /// <param name="fencingToken">The token the store assigned.</param>
    /// <param name="options">Lease, renewal cadence and loss margin.</param>
    /// <param name="grantedAt">Timestamp taken before the granting request was sent: the lease is counted from then.</param>
    /// <param name="renew">Compare-and-extend; false when the hold is no longer ours.</param>
    /// <param name="release">Compare-and-delete.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where renewal failures go.</param>
    public RedisLease(long fencingToken, RedisLockOptions options, long grantedAt, Func<CancellationToken, ValueTask<bool>> renew,
        Func<ValueTask> release, TimeProvider time, ILogger logger)
    {
        FencingToken = fencingToken;
        _release = release;
        _renewal = new LeaseRenewal(options.Lease, options.EffectiveRenewInterval, options.LossMargin, grantedAt, renew, time, logger);
    }

    /// <inheritdoc/>
    public override long FencingToken { get; }

    /// <inheritdoc/>
    public override CancellationToken LostToken => _renewal.LostToken;

    /// <inheritdoc/>
    public override async ValueTask ReleaseAsync()
    {
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
