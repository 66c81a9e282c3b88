using Padlock.Stores;

namespace Padlock.Redis.Cohort;

/// <summary>
/// This process's hold on a lock's Redis key: one owner token, one renewal, and a block of fencing tokens reserved
/// when the key was granted. Local holders take the block's tokens in turn while the key stays ours. When the block
/// runs out or the hand-off window closes, Redis is asked (one script) whether anyone waits there: if not, a new
/// block and window follow; if so, the key goes back to Redis. Once someone else is known to wait (from the grant,
/// a joining message or a refused refill), local hand-offs go on only until the turn is over by the
/// <see cref="HandOffPolicy"/>, counted from when this store got the key.
/// </summary>
/// <param name="token">The owner token the key holds.</param>
/// <param name="firstFence">The first token of the block reserved with the grant.</param>
/// <param name="othersQueued">Whether the grant said others wait behind.</param>
/// <param name="grantedAt">When the granting request was sent (the start of the hand-off window).</param>
/// <param name="turnStart">When the grant reached this store (the start of the turn).</param>
/// <param name="policy">When the turn is over while others wait.</param>
/// <param name="renewal">The key's renewal.</param>
internal sealed class CohortHold(string token, long firstFence, bool othersQueued, long grantedAt, long turnStart, HandOffPolicy policy, LeaseRenewal renewal)
{
    /// <summary>How many fencing tokens one Redis grant (or refill) reserves: up to this many local holders in a row.</summary>
    public const int Block = 256;

    /// <summary>
    /// Longest time between two checks of the Redis line while the key is passed on inside the process; bounds the
    /// wait of another process whose joining message was lost.
    /// </summary>
    public static readonly TimeSpan MaxHandOffWindow = TimeSpan.FromMilliseconds(50);

    private long _lastFence = firstFence + Block - 1;
    private long _nextFence = firstFence;
    private long _windowStart = grantedAt;
    private volatile bool _othersQueued = othersQueued;
    private int _turnGrants;

    /// <summary>The owner token the Redis key holds.</summary>
    public string Token => token;

    /// <summary>Renews the key; its lost token is every local holder's.</summary>
    public LeaseRenewal Renewal => renewal;

    /// <summary>The fencing token most recently given to a local holder.</summary>
    public long CurrentFence => _nextFence - 1;

    /// <summary>Someone else (another process or store) waits in the Redis line.</summary>
    public void NoteOthersQueued() => _othersQueued = true;

    /// <summary>Whether someone else is known to wait in the Redis line.</summary>
    public bool OthersQueued => _othersQueued;

    /// <summary>The next token of the block. Call only under the cohort's lock, after <see cref="CanHandOff"/> (or for the first holder).</summary>
    public long TakeFence()
    {
        _turnGrants++;
        return _nextFence++;
    }

    /// <summary>The hold is lost, or someone is known to wait in Redis and this store's turn is over: the key must go back.</summary>
    public bool MustGiveBack(TimeProvider time)
        => renewal.LostToken.IsCancellationRequested || (_othersQueued && policy.TurnOver(time.GetElapsedTime(turnStart), _turnGrants));

    /// <summary>
    /// Whether the next local waiter may have the key without a trip to Redis: it need not go back, the block has a
    /// token left, and either others are known to wait (the turn's policy bounds it, no check of the Redis line could
    /// say more) or the window since the last check of the Redis line is still open.
    /// </summary>
    public bool CanHandOff(TimeProvider time)
        => !MustGiveBack(time) && _nextFence <= _lastFence && (_othersQueued || time.GetElapsedTime(_windowStart) < MaxHandOffWindow);

    /// <summary>A refill found nobody waiting in Redis: a new block from <paramref name="firstFence"/>, and a new window from <paramref name="checkedAt"/>.</summary>
    public void Refilled(long firstFence, long checkedAt)
    {
        _nextFence = firstFence;
        _lastFence = firstFence + Block - 1;
        _windowStart = checkedAt;
    }
}
