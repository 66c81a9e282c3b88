using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// For a process that has been handing the lock around inside itself: while the key is still ours and nobody waits
/// in the Redis line, reserve a new block of fencing tokens and extend the lease, so the hand-offs can go on without
/// giving the key back. The queue is read here, in Redis, so a waiter whose joining message was lost is still seen.
/// </summary>
internal static class RefillScript
{
    // KEYS: lock, fence, queue. ARGV: token, lease ms, block. Returns the first token of the new block, or 0 when the
    // key is no longer ours or someone waits (then the key must go back to Redis).
    private static readonly CachedScript Script = new("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        local block = tonumber(ARGV[3])
        return redis.call('INCRBY', KEYS[2], block) - block + 1
        """);

    /// <summary>Runs the script; the first token of the new block, or 0.</summary>
    public static async Task<long> RunAsync(IDatabaseAsync db, LockKeys keys, string token, TimeSpan lease, int block)
        => (long)await Script.RunAsync(db, [keys.Lock, keys.Fence, keys.Queue], [token, (long)lease.TotalMilliseconds, block]).ConfigureAwait(false);
}
