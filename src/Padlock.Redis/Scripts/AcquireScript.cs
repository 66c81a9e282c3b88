using Padlock.Redis.Keys;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// Acquire in one round trip: grant when the lock is free and nobody is ahead in the queue (SET PX and a block of
/// fencing tokens from the counter, atomically); otherwise, for a waiter, join the queue or check in to stay in it.
/// </summary>
internal static class AcquireScript
{
    // KEYS: lock, fence, queue, deadlines. ARGV: token, lease ms, join ("1": queue up when not granted), waiter ttl ms,
    // block (how many fencing tokens a grant reserves), inbox channel prefix, tag, publish command (PUBLISH, or SPUBLISH
    // on a sharded Cluster: see WakeRoutes).
    // Returns { first fencing token of the granted block (> 0) or 0, 1 when others are queued after the grant }.
    // A waiter that joins the line publishes "tag\n+token" to the holder's inbox (the prefix followed by the first 16
    // characters of the holder's token), so a store handing the lock around inside itself learns that someone else
    // waits, and only that store is woken.
    private static readonly CachedScript Script = new("""
        local block = tonumber(ARGV[5])
        local queued = redis.call('EXISTS', KEYS[3]) == 1
        -- The uncontended path, three calls: nobody waiting, and the key free (SET NX sets it only then).
        if not queued and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return { redis.call('INCRBY', KEYS[2], block) - block + 1, 0 }
        end
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then
          -- A release handed the lock to us while we waited and its wake-up has not reached us: confirm it with a fresh lease.
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return { tonumber(redis.call('GET', KEYS[2])) - block + 1, redis.call('EXISTS', KEYS[3]) }
        end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if queued then
          -- Waiters that stopped checking in are dead: they leave the line so they cannot block it.
          local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
          if #dead > 0 then
            for _, id in ipairs(dead) do redis.call('LREM', KEYS[3], 0, id) end
            redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
          end
        end
        if not holder then
          local head = redis.call('LINDEX', KEYS[3], 0)
          -- First come, first served: a free lock goes to the head of the line, or to anyone when nobody waits.
          if (not head) or head == ARGV[1] then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            if head then
              redis.call('LPOP', KEYS[3])
              redis.call('ZREM', KEYS[4], ARGV[1])
            end
            return { redis.call('INCRBY', KEYS[2], block) - block + 1, redis.call('EXISTS', KEYS[3]) }
          end
        end
        if ARGV[3] == '1' then
          if not redis.call('ZSCORE', KEYS[4], ARGV[1]) then
            redis.call('RPUSH', KEYS[3], ARGV[1])
            if holder then redis.call(ARGV[8], ARGV[6] .. string.sub(holder, 1, 16), ARGV[7] .. '\n+' .. ARGV[1]) end
          end
          local ttl = tonumber(ARGV[4])
          redis.call('ZADD', KEYS[4], now + ttl, ARGV[1])
          -- An abandoned line disappears by itself once its last waiter would have expired.
          if redis.call('PTTL', KEYS[3]) < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
          if redis.call('PTTL', KEYS[4]) < ttl then redis.call('PEXPIRE', KEYS[4], ttl) end
        end
        return { 0, 0 }
        """);

    /// <summary>Runs the script: the first fencing token of the granted block (0 when not granted), and whether others wait behind.</summary>
    public static Task<(long Fence, bool OthersQueued)> RunAsync(IDatabaseAsync db, LockKeys keys, string token, TimeSpan lease, bool join,
        TimeSpan waiterTtl, int block, RedisChannel channel)
        => Script.RunAsync(db,
            keys.All,
            [token, (long)lease.TotalMilliseconds, join ? "1" : "0", (long)waiterTtl.TotalMilliseconds, block, channel.ToString(), keys.Tag, WakeRoutes.PublishCommand(channel)],
            static r =>
            {
                var result = (RedisResult[])r!;
                return ((long)result[0], (long)result[1] == 1);
            });
}
