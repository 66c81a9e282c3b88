namespace Padlock;

/// <summary>
/// A named leader election: at most one campaigner of the name leads at a time across every process that uses the same
/// store, with a value (an address, an id) that others read or follow. Built on the exclusive lock's line: campaigners
/// queue in arrival order, the first leads, and when it resigns (or its session ends) the next is elected with a higher
/// term. Obtain one from <see cref="ILockProvider.CreateElection(string)"/>; the object itself holds nothing and is cheap.
/// </summary>
/// <remarks>
/// Not reentrant: campaigning for a name this async flow already leads through the same provider fails at once with
/// <see cref="LockRecursionException"/>. Election names are separate from lock, semaphore and reader-writer names.
/// Values are UTF-8 text of at most <see cref="Stores.ElectionLimits.MaxValueBytes"/> bytes.
/// </remarks>
public interface IDistributedElection
{
    /// <summary>The election's name as given to <see cref="ILockProvider.CreateElection(string)"/>.</summary>
    string Name { get; }

    /// <summary>Campaigns with <paramref name="value"/> and waits until elected, up to <paramref name="timeout"/> (forever when <see langword="null"/>, the default).</summary>
    /// <param name="value">What observers see while this campaigner leads: not null or empty, at most <see cref="Stores.ElectionLimits.MaxValueBytes"/> bytes of UTF-8.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> or null waits until elected or cancelled.</param>
    /// <param name="cancellationToken">Cancels the campaign; nothing is left queued in the store.</param>
    /// <returns>The leadership; dispose it to resign.</returns>
    /// <exception cref="ArgumentException">The value is null, empty, or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="TimeoutException">Not elected within the timeout; nothing is left queued.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before election.</exception>
    /// <exception cref="LockRecursionException">This async flow already leads this election through this provider.</exception>
    ValueTask<ILeadership> CampaignAsync(string value, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Campaigns with <paramref name="value"/>, waiting up to <paramref name="timeout"/>. A zero timeout (the default) makes
    /// one attempt that leaves nothing behind when someone else leads or waits.
    /// </summary>
    /// <returns>The leadership, or <see langword="null"/> when not elected in time.</returns>
    /// <exception cref="ArgumentException">The value is null, empty, or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before election.</exception>
    /// <exception cref="LockRecursionException">This async flow already leads this election through this provider.</exception>
    ValueTask<ILeadership?> TryCampaignAsync(string value, TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="CampaignAsync(string, TimeSpan?, CancellationToken)"/>; blocks the calling thread.</summary>
    ILeadership Campaign(string value, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="TryCampaignAsync(string, TimeSpan, CancellationToken)"/>; blocks the calling thread.</summary>
    ILeadership? TryCampaign(string value, TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Reads who leads now, once.</summary>
    /// <returns>The leader's value and term, or <see langword="null"/> when nobody leads.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<LeaderInfo?> GetLeaderAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Follows the leadership: yields who leads now (null when nobody), then each change: a new leader (a higher term), a
    /// proclaimed value (same term), or null while nobody leads. Terms never go back. Changes that come faster than the
    /// enumeration reads them may be merged on server stores (the latest is always yielded). Ends when the token is
    /// cancelled (with <see cref="OperationCanceledException"/>) or the provider is disposed.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    IAsyncEnumerable<LeaderInfo?> ObserveAsync(CancellationToken cancellationToken = default);
}
