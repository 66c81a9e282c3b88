using Padlock.Redis.Keys;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// One try for a permit, in one round trip: purge expired permits and dead waiters, check maxCount against the one
/// the name is in use with, hand free permits to the head of the line, then grant the caller when nobody is ahead and
/// a permit is free; otherwise, for a waiter, join the line or check in to stay in it.
/// </summary>
internal static class SemaphoreAcquireScript
{
    // ARGV: token, lease ms, join ("1"), waiter ttl ms, maxCount, channel, hub tag, publish command.
    // Returns { fencing token (> 0) when granted, 0 when not, -1 on a maxCount mismatch; the count in use on a mismatch }.
    private static readonly CachedScript Script = new(SemaphoreLua.Prelude + """
        local lease = tonumber(ARGV[2])
        local max = tonumber(ARGV[5])
        purge()
        local mine = redis.call('HGET', KEYS[6], ARGV[1])
        if mine then
          -- A release handed us a permit while we waited and its wake-up has not reached us: confirm it with a fresh lease.
          redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
          return { tonumber(mine), 0 }
        end
        local stored = tonumber(redis.call('GET', KEYS[5]))
        if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('LLEN', KEYS[3]) == 0 then
          -- Nobody holds or waits: the name takes this caller's count.
          redis.call('SET', KEYS[5], max, 'PX', lease)
        elseif stored and stored ~= max then
          return { -1, stored }
        elseif not stored then
          redis.call('SET', KEYS[5], max, 'PX', lease)
        end
        promote(max, ARGV[6], ARGV[7], lease, ARGV[8])
        mine = redis.call('HGET', KEYS[6], ARGV[1])
        if mine then return { tonumber(mine), 0 } end
        if redis.call('LLEN', KEYS[3]) == 0 and redis.call('ZCARD', KEYS[1]) < max then
          return { grant(ARGV[1], lease), 0 }
        end
        if ARGV[3] == '1' then
          if not redis.call('ZSCORE', KEYS[4], ARGV[1]) then redis.call('RPUSH', KEYS[3], ARGV[1]) end
          local ttl = tonumber(ARGV[4])
          redis.call('ZADD', KEYS[4], now + ttl, ARGV[1])
          -- An abandoned line (and its count) disappears by itself once its last waiter would have expired.
          keep(KEYS[3], ttl)
          keep(KEYS[4], ttl)
          keep(KEYS[5], ttl)
        end
        return { 0, 0 }
        """);

    /// <summary>Runs the script: the fencing token (0 when not granted, -1 on a mismatch) and the maxCount in use on a mismatch.</summary>
    public static async Task<(long Fence, int InUse)> RunAsync(IDatabaseAsync db, SemaphoreKeys keys, string token, TimeSpan lease, bool join,
        TimeSpan waiterTtl, int maxCount, RedisChannel channel)
    {
        var result = (RedisResult[])(await Script.RunAsync(db, keys.All,
            [token, (long)lease.TotalMilliseconds, join ? "1" : "0", (long)waiterTtl.TotalMilliseconds, maxCount, channel.ToString(), keys.HubTag, WakeRoutes.PublishCommand(channel)]).ConfigureAwait(false))!;
        return ((long)result[0], (int)result[1]);
    }
}
