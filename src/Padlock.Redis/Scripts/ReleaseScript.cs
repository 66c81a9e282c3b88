using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// Release by compare-and-delete: only the owner token deletes the key, so a holder whose lease ran out cannot free
/// the next holder's lock. Then wakes the next waiter with one PUBLISH naming it.
/// </summary>
internal static class ReleaseScript
{
    // KEYS: lock, queue, deadlines. ARGV: token, channel, tag, always ("1": publish even with nobody queued, for Redlock).
    // Also used to leave the line (cancel or timeout): the token is removed from the queue first.
    // Returns 1 when our hold was deleted, 0 otherwise.
    private const string Lua = """
        redis.call('LREM', KEYS[2], 0, ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        local holder = redis.call('GET', KEYS[1])
        local deleted = 0
        if holder == ARGV[1] then
          redis.call('DEL', KEYS[1])
          deleted = 1
          holder = false
        end
        if not holder then
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
          if #dead > 0 then
            for _, id in ipairs(dead) do redis.call('LREM', KEYS[2], 0, id) end
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          end
          local head = redis.call('LINDEX', KEYS[2], 0)
          if head then
            redis.call('PUBLISH', ARGV[2], ARGV[3] .. '\n' .. head)
          elseif deleted == 1 and ARGV[4] == '1' then
            redis.call('PUBLISH', ARGV[2], ARGV[3] .. '\n')
          end
        end
        return deleted
        """;

    /// <summary>Runs the script; true when our hold was deleted.</summary>
    public static async Task<bool> RunAsync(IDatabaseAsync db, LockKeys keys, string token, RedisChannel channel, bool alwaysPublish)
    {
        var result = await db.ScriptEvaluateAsync(Lua,
            [keys.Lock, keys.Queue, keys.Deadlines],
            [token, channel.ToString(), keys.Tag, alwaysPublish ? "1" : "0"]).ConfigureAwait(false);
        return (long)result == 1;
    }
}
