using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Redis;

/// <summary>
/// One hold on Redis (single or Redlock): renewed on a cadence by <see cref="LeaseRenewal"/>, which cancels the lost
/// token when a renewal finds the key gone or someone else's, or when renewals keep failing until just before the
/// lease would run out. The store's <see cref="HeldLeases"/> marks it lost and releases it when the store is disposed.
/// </summary>
internal sealed class RedisLease : StoreLease
{
    private readonly LeaseRenewal _renewal;
    private readonly Func<ValueTask> _release;
    private readonly CancellationTokenRegistration _follow;

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
        // The renewal's token is the deadline (see LeaseRenewal); this lease's own token follows it.
        _follow = _renewal.LostToken.UnsafeRegister(static s => ((RedisLease)s!).MarkLost(), this);
    }

    /// <inheritdoc/>
    public override long FencingToken { get; }

    /// <summary>The holder's owner token in Redis, where a later script must name it (a leadership's proclaim); null otherwise.</summary>
    public string? OwnerToken { get; init; }

    /// <summary>Checks the lease deadline on the monotonic clock, so a holder resuming from a pause sees the loss at once.</summary>
    protected override void CheckDeadline() => _renewal.CheckDeadline();

    /// <inheritdoc/>
    protected override async ValueTask ReleaseCoreAsync()
    {
        _follow.Dispose();
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
