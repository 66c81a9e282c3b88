using Padlock.Stores;

namespace Padlock.Redis.Cohort;

/// <summary>
/// This process's hold on a lock's Redis key: one owner token, one renewal, and a block of fencing tokens reserved
/// when the key was granted. Local holders take the block's tokens in turn while the key stays ours; the bounds
/// below decide when the key must go back to Redis so other processes get their turn.
/// </summary>
internal sealed class CohortHold(string token, long firstFence, bool othersQueued, long grantedAt, LeaseRenewal renewal)
{
    /// <summary>How many fencing tokens one Redis grant reserves: the first holder's plus up to 63 local hand-offs.</summary>
    public const int Block = 64;

    /// <summary>Longest time after the Redis grant during which the key is still passed on inside the process.</summary>
    public static readonly TimeSpan MaxHandOffWindow = TimeSpan.FromMilliseconds(50);

    private readonly long _lastFence = firstFence + Block - 1;
    private long _nextFence = firstFence;
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

    /// <summary>
    /// Whether the next local waiter may have the key without a trip to Redis: the hold is not lost, the block has a
    /// token left, nobody waits in Redis, and the hand-off window since the grant is still open.
    /// </summary>
    public bool CanHandOff(TimeProvider time)
        => !renewal.LostToken.IsCancellationRequested && _nextFence <= _lastFence && !_othersQueued
           && time.GetElapsedTime(grantedAt) < MaxHandOffWindow;
}
