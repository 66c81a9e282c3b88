using Padlock.Stores;

namespace Padlock.Redis.Cohort;

/// <summary>
/// This process's hold on a lock's Redis key: one owner token, one renewal, and a block of fencing tokens reserved
/// when the key was granted. Local holders take the block's tokens in turn while the key stays ours. When the block
/// runs out or the hand-off window closes, Redis is asked (one script) whether anyone waits there: if not, a new
/// block and window follow; if so, or once someone is heard joining the Redis line, the key goes back to Redis.
/// </summary>
internal sealed class CohortHold(string token, long firstFence, bool othersQueued, long grantedAt, LeaseRenewal renewal)
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
    public long TakeFence() => _nextFence++;

    /// <summary>The hold is lost or someone is known to wait in Redis: the key must go back.</summary>
    public bool MustGiveBack => renewal.LostToken.IsCancellationRequested || _othersQueued;

    /// <summary>
    /// Whether the next local waiter may have the key without a trip to Redis: it need not go back, the block has a
    /// token left, and the window since the last check of the Redis line is still open.
    /// </summary>
    public bool CanHandOff(TimeProvider time)
        => !MustGiveBack && _nextFence <= _lastFence && time.GetElapsedTime(_windowStart) < MaxHandOffWindow;

    /// <summary>A refill found nobody waiting in Redis: a new block from <paramref name="firstFence"/>, and a new window from <paramref name="checkedAt"/>.</summary>
    public void Refilled(long firstFence, long checkedAt)
    {
        _nextFence = firstFence;
        _lastFence = firstFence + Block - 1;
        _windowStart = checkedAt;
    }
}
