namespace Padlock.Stores;

/// <summary>
/// Optional on a store: leader elections. A campaign is an exclusive hold of the election's name that carries a value;
/// the holder leads, its fencing token is the term (strictly increasing per name), and campaigners are elected in
/// arrival order. Election names are their own namespace, apart from locks, semaphores and reader-writer locks. The same
/// wait rules as <see cref="ILockStore.TryAcquireAsync"/> apply to <see cref="CampaignAsync"/>. Names are validated by
/// <see cref="LockNames.Validate"/> and values by <see cref="ElectionLimits.ValidateValue"/> before the core calls.
/// </summary>
public interface IElectionStore
{
    /// <summary>Campaigns for <paramref name="name"/> with <paramref name="value"/>.</summary>
    /// <returns>The leadership's lease, or null when not elected within the wait.</returns>
    ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait);

    /// <summary>
    /// Sets the value of a leadership this store granted (<paramref name="leadership"/>, from <see cref="CampaignAsync"/>),
    /// only while it still leads: the write is guarded so that it can never change another leader's value.
    /// </summary>
    /// <exception cref="InvalidOperationException">The leadership is no longer held (the lease is then marked lost).</exception>
    ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken);

    /// <summary>Reads the current leader of <paramref name="name"/>, or null when nobody leads.</summary>
    ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Yields the current leader of <paramref name="name"/> (or null), then again whenever it may have changed. Repeats
    /// and stale reads are allowed: the core drops repeats and anything older than a term it already reported. Ends with
    /// <see cref="OperationCanceledException"/> when the token is cancelled.
    /// </summary>
    IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, CancellationToken cancellationToken);
}
