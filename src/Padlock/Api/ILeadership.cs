namespace Padlock;

/// <summary>
/// Proof of leadership, from <see cref="IDistributedElection.CampaignAsync"/>. It is a lock handle on the election's
/// name: <see cref="ILockHandle.FencingToken"/> is the term, <see cref="ILockHandle.LostToken"/> fires when the store can
/// no longer guarantee the leadership (session or lease lost, entry deleted), and disposing it resigns, so the next
/// campaigner is elected.
/// </summary>
public interface ILeadership : ILockHandle
{
    /// <summary>The value observers see for this leader: the campaign's value, or the last one proclaimed.</summary>
    string Value { get; }

    /// <summary>
    /// Gives up leadership: the same as disposing the handle (a second call, or a dispose after it, does nothing). The
    /// next campaigner in line is elected with a higher term, and observers see it (or null when nobody waits).
    /// </summary>
    ValueTask ResignAsync();

    /// <summary>
    /// Changes the value observers see (<see cref="IDistributedElection.GetLeaderAsync"/>, <see cref="IDistributedElection.ObserveAsync"/>)
    /// without giving up leadership: the term stays the same. Calls are applied one at a time, in call order.
    /// </summary>
    /// <param name="newValue">The new value: not null or empty, at most <see cref="Stores.ElectionLimits.MaxValueBytes"/> bytes of UTF-8.</param>
    /// <param name="cancellationToken">Cancels the request (the value may or may not have changed then).</param>
    /// <exception cref="ArgumentException">The value is null, empty, or too long.</exception>
    /// <exception cref="InvalidOperationException">The leadership was lost or resigned: nothing was changed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask ProclaimAsync(string newValue, CancellationToken cancellationToken = default);
}
