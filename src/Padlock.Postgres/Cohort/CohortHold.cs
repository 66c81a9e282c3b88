using Padlock.Stores;

namespace Padlock.Postgres.Cohort;

/// <summary>
/// This store's hold of a lock that its callers pass between them: the advisory lock on one connection
/// (<see cref="PostgresHold"/>: its keep-alive and loss are every local holder's) and the fencing tokens its grant
/// reserved. A turn began when the server granted the lock; within it a release hands the lock to the next local
/// caller with the next reserved token, until the tokens run out or the <see cref="HandOffPolicy"/> ends the turn.
/// </summary>
/// <param name="server">The advisory lock held on its connection.</param>
/// <param name="first">The first token the grant reserved.</param>
/// <param name="last">The last token the grant reserved (committed in the fencing row before the grant returned).</param>
/// <param name="turnStart">When the server granted it (a store clock timestamp).</param>
/// <param name="policy">When the turn is over.</param>
internal sealed class CohortHold(PostgresHold server, long first, long last, long turnStart, HandOffPolicy policy)
{
    private long _next = first;
    private int _turnGrants;

    /// <summary>The advisory lock and its connection.</summary>
    public PostgresHold Server => server;

    /// <summary>The token most recently given to a local holder.</summary>
    public long CurrentFence => _next - 1;

    /// <summary>The next reserved token. Call only under the cohort's lock, for the turn's first holder or after <see cref="CanHandOff"/>.</summary>
    public long TakeFence()
    {
        _turnGrants++;
        return _next++;
    }

    /// <summary>
    /// Whether the next local caller may have the lock without a trip to the server: the hold is not lost, a reserved
    /// token is left, and the turn is not over. A turn is bounded whether or not another process waits: the server's
    /// queue does not tell.
    /// </summary>
    public bool CanHandOff(TimeProvider time)
        => !server.IsLost && _next <= last && !policy.TurnOver(time.GetElapsedTime(turnStart), _turnGrants);
}
