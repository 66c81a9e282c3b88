using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// One try for a reader-writer hold or a leadership, in one round trip: purge expired holders and dead waiters, hand
/// the hold to the compatible head of the line, then grant the caller when nobody waits and its mode is compatible;
/// otherwise, for a waiter, join the line (at its end: a reader that arrives while a writer waits queues behind it)
/// or check in to stay in it.
/// </summary>
internal static class LineAcquireScript
{
    // Returns the fencing token when granted, 0 when not.
    private static readonly CachedScript Script = new(LineLua.Prelude + """
        local lease = tonumber(ARGV[2])
        local mode = ARGV[6]
        purge()
        promote()
        local mine = redis.call('HGET', KEYS[7], ARGV[1])
        if mine then
          -- A release handed us the hold while we waited and its wake-up has not reached us: confirm it with a fresh lease.
          local set = KEYS[1]
          if redis.call('ZSCORE', KEYS[2], ARGV[1]) then set = KEYS[2] end
          redis.call('ZADD', set, 'XX', now + lease, ARGV[1])
          keep(set, lease)
          return finish(tonumber(mine))
        end
        if redis.call('LLEN', KEYS[4]) == 0 and compatible(mode) then
          if ARGV[9] ~= '' then redis.call('HSET', KEYS[8], ARGV[1], ARGV[9]) end
          return finish(grant(ARGV[1], mode, lease))
        end
        if ARGV[7] == '1' then
          if not redis.call('ZSCORE', KEYS[5], ARGV[1]) then redis.call('RPUSH', KEYS[4], ARGV[1]) end
          local ttl = tonumber(ARGV[8])
          redis.call('ZADD', KEYS[5], now + ttl, ARGV[1])
          redis.call('HSET', KEYS[6], ARGV[1], mode)
          if ARGV[9] ~= '' then redis.call('HSET', KEYS[8], ARGV[1], ARGV[9]) end
          -- An abandoned line disappears by itself once its last waiter would have expired.
          keep(KEYS[4], ttl)
          keep(KEYS[5], ttl)
          keep(KEYS[6], ttl)
          keep(KEYS[8], ttl)
        end
        return finish(0)
        """);

    /// <summary>Runs the script: the fencing token, 0 when not granted.</summary>
    public static async Task<long> RunAsync(IDatabaseAsync db, LineKeys keys, string token, char mode, TimeSpan lease, bool join, TimeSpan waiterTtl,
        RedisChannel channel, string? value)
        => (long)(await Script.RunAsync(db, keys.All,
            LineLua.Args(keys, token, lease, channel, value is not null, mode, join, waiterTtl, value)).ConfigureAwait(false));
}
