using Padlock.Redis.Keys;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// Release by compare-and-delete: only the owner token deletes the key, so a holder whose lease ran out cannot free
/// the next holder's lock. When someone waits, the lock is handed straight to the first live waiter in the same
/// script (its own lease, the next fencing token), and one PUBLISH tells it so: the waiter needs no further round trip.
/// </summary>
internal static class ReleaseScript
{
    // KEYS: lock, fence, queue, deadlines. ARGV: token, channel (a hand-off publishes to it followed by the first 16
    // characters of the new holder's token: the inbox prefix; a plain wake-up to it as it is: Redlock's channel), tag, always ("1": publish a plain wake-up even with
    // nobody queued, for Redlock's retrying waiters), lease ms for a waiter whose token names none, block (fencing tokens a
    // grant reserves), publish command (PUBLISH, or SPUBLISH on a sharded Cluster: see WakeRoutes). Also used to leave the line on cancel or timeout.
    // Returns { 1 when our hold was deleted else 0, the next holder's token or nil, its first fencing token or 0,
    // 1 when others still wait behind it }; the wake-up message carries the same: "tag\nhead\nfence\nothers".
    private static readonly CachedScript Script = new("""
        local queued = redis.call('EXISTS', KEYS[3]) == 1
        if queued then
          redis.call('LREM', KEYS[3], 0, ARGV[1])
          redis.call('ZREM', KEYS[4], ARGV[1])
        end
        local holder = redis.call('GET', KEYS[1])
        local deleted = 0
        if holder == ARGV[1] then
          redis.call('DEL', KEYS[1])
          deleted = 1
        elseif holder then
          return { 0, false, 0, 0 }
        end
        if queued and redis.call('EXISTS', KEYS[3]) == 1 then
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
          if #dead > 0 then
            for _, id in ipairs(dead) do redis.call('LREM', KEYS[3], 0, id) end
            redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
          end
          local head = redis.call('LINDEX', KEYS[3], 0)
          if head then
            -- The waiter's own lease is part of its token ("hex/lease-ms:owner").
            local lease = tonumber(string.match(head, '^%x+/(%d+):')) or tonumber(ARGV[5])
            redis.call('SET', KEYS[1], head, 'PX', lease)
            redis.call('LPOP', KEYS[3])
            redis.call('ZREM', KEYS[4], head)
            local block = tonumber(ARGV[6])
            local fence = redis.call('INCRBY', KEYS[2], block) - block + 1
            local others = redis.call('EXISTS', KEYS[3])
            -- To the new holder's inbox only (the prefix and the first 16 characters of its token).
            redis.call(ARGV[7], ARGV[2] .. string.sub(head, 1, 16), ARGV[3] .. '\n' .. head .. '\n' .. fence .. '\n' .. others)
            return { deleted, head, fence, others }
          end
        end
        if deleted == 1 and ARGV[4] == '1' then redis.call(ARGV[7], ARGV[2], ARGV[3] .. '\n') end
        return { deleted, false, 0, 0 }
        """);

    /// <summary>Runs the script: whether our hold was deleted, and to whom (with which first fencing token) the lock was handed.</summary>
    public static Task<(bool Deleted, string? Next, long NextFence, bool OthersQueued)> RunAsync(IDatabaseAsync db, LockKeys keys, string token, TimeSpan lease,
        RedisChannel channel, bool alwaysPublish, int block)
        => Script.RunAsync(db,
            keys.All,
            [token, channel.ToString(), keys.Tag, alwaysPublish ? "1" : "0", (long)lease.TotalMilliseconds, block, WakeRoutes.PublishCommand(channel)],
            static r =>
            {
                var result = (RedisResult[])r!;
                return ((long)result[0] == 1, result[1].IsNull ? null : (string?)result[1], (long)result[2], (long)result[3] == 1);
            });
}
