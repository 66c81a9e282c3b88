namespace Padlock.Redis.Scripts;

/// <summary>
/// Lua shared by the semaphore scripts. KEYS: holders, fence, queue, deadlines, count, grants (see
/// <c>SemaphoreKeys</c>). Time is the server's (TIME), so clients' clock skew never ages a permit.
/// </summary>
internal static class SemaphoreLua
{
    /// <summary>
    /// Defines <c>now</c>, <c>grant(token, lease)</c> (permit, next fencing token, keys kept alive for the lease),
    /// <c>purge()</c> (expired permits and waiters that stopped checking in leave) and <c>promote(max, channel, tag,
    /// default lease, publish command)</c>: while a permit is free, the head of the line gets it and one PUBLISH (or
    /// SPUBLISH on a sharded Cluster) tells it
    /// "tag\ntoken\nfence\n0"; returns { token, fence, ... } of those granted.
    /// </summary>
    public const string Prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function keep(key, ms)
          if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
        end
        local function grant(token, lease)
          redis.call('ZADD', KEYS[1], now + lease, token)
          local fence = redis.call('INCR', KEYS[2])
          redis.call('HSET', KEYS[6], token, fence)
          keep(KEYS[1], lease)
          keep(KEYS[6], lease)
          keep(KEYS[5], lease)
          return fence
        end
        local function purge()
          local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
          if #expired > 0 then
            for _, id in ipairs(expired) do redis.call('HDEL', KEYS[6], id) end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
          end
          local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
          if #dead > 0 then
            for _, id in ipairs(dead) do redis.call('LREM', KEYS[3], 0, id) end
            redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
          end
        end
        local function promote(max, channel, tag, default_lease, publish)
          local granted = {}
          while redis.call('ZCARD', KEYS[1]) < max do
            local head = redis.call('LPOP', KEYS[3])
            if not head then break end
            redis.call('ZREM', KEYS[4], head)
            -- The waiter's own lease is part of its token ("hex/lease-ms:owner").
            local lease = tonumber(string.match(head, '^%x+/(%d+):')) or default_lease
            local fence = grant(head, lease)
            redis.call(publish, channel, tag .. '\n' .. head .. '\n' .. fence .. '\n0')
            table.insert(granted, head)
            table.insert(granted, fence)
          end
          return granted
        end

        """;
}
