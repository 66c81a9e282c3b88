using Padlock.Redis.Keys;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// Lua shared by the reader-writer and election scripts. KEYS: readers, writer, fence, queue, deadlines, modes, grants,
/// values (see <see cref="LineKeys"/>). ARGV: token, lease ms, channel, hub tag, notify ("1" for an election), mode
/// ("r"/"w"), join ("1"), waiter ttl ms, value, publish command (PUBLISH, or SPUBLISH on a sharded Cluster). Time is the server's (TIME), so clients' clock skew never
/// ages a hold.
/// </summary>
internal static class LineLua
{
    /// <summary>The message that wakes an election's observers (every local waiter registered with this token).</summary>
    public const string ObserverToken = "*observe";

    /// <summary>
    /// Defines <c>now</c>; <c>grant(token, mode, lease)</c> (the hold, the next fencing token of the one counter,
    /// keys kept alive for the lease); <c>purge()</c> (expired holders and waiters that stopped checking in leave);
    /// <c>compatible(mode)</c> (a reader needs no writer; a writer needs nobody); <c>promote()</c> (while the head of
    /// the line is compatible, it gets the hold and one PUBLISH tells it "tag\ntoken\nfence\n0": a run of readers goes
    /// in together, a writer alone; returns { token, fence, ... }); and <c>finish(result)</c>, which for an election
    /// publishes "tag\n*observe" when the leader (token, term or value) differs from the one the script started with.
    /// </summary>
    public const string Prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function keep(key, ms)
          if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
        end
        local function leader()
          local w = redis.call('ZRANGE', KEYS[2], 0, 0)
          if #w == 0 then return '' end
          return w[1] .. '\n' .. (redis.call('HGET', KEYS[7], w[1]) or '') .. '\n' .. (redis.call('HGET', KEYS[8], w[1]) or '')
        end
        local notify = ARGV[5] == '1'
        local before = ''
        if notify then before = leader() end
        local function finish(result)
          if notify and leader() ~= before then
            redis.call(ARGV[10], ARGV[3], ARGV[4] .. '\n*observe\n0\n0')
          end
          return result
        end
        local function grant(token, mode, lease)
          local set = KEYS[1]
          if mode == 'w' then set = KEYS[2] end
          redis.call('ZADD', set, now + lease, token)
          local fence = redis.call('INCR', KEYS[3])
          redis.call('HSET', KEYS[7], token, fence)
          keep(set, lease)
          keep(KEYS[7], lease)
          keep(KEYS[8], lease)
          return fence
        end
        local function purge()
          for _, set in ipairs({ KEYS[1], KEYS[2] }) do
            local expired = redis.call('ZRANGEBYSCORE', set, '-inf', now)
            if #expired > 0 then
              for _, id in ipairs(expired) do
                redis.call('HDEL', KEYS[7], id)
                redis.call('HDEL', KEYS[8], id)
              end
              redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
            end
          end
          local dead = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now)
          if #dead > 0 then
            for _, id in ipairs(dead) do
              redis.call('LREM', KEYS[4], 0, id)
              redis.call('HDEL', KEYS[6], id)
              redis.call('HDEL', KEYS[8], id)
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
          end
        end
        local function compatible(mode)
          if redis.call('ZCARD', KEYS[2]) > 0 then return false end
          return mode == 'r' or redis.call('ZCARD', KEYS[1]) == 0
        end
        local function promote()
          local granted = {}
          while true do
            local head = redis.call('LINDEX', KEYS[4], 0)
            if not head then break end
            -- A waiter whose mode is unknown is taken for a writer: the safe side.
            local mode = redis.call('HGET', KEYS[6], head) or 'w'
            if not compatible(mode) then break end
            redis.call('LPOP', KEYS[4])
            redis.call('ZREM', KEYS[5], head)
            redis.call('HDEL', KEYS[6], head)
            -- The waiter's own lease is part of its token ("hex/lease-ms:owner").
            local lease = tonumber(string.match(head, '^%x+/(%d+):')) or tonumber(ARGV[2])
            local fence = grant(head, mode, lease)
            redis.call(ARGV[10], ARGV[3], ARGV[4] .. '\n' .. head .. '\n' .. fence .. '\n0')
            table.insert(granted, head)
            table.insert(granted, fence)
          end
          return granted
        end

        """;

    /// <summary>The ARGV every line script takes (each reads the ones it needs).</summary>
    public static RedisValue[] Args(LineKeys keys, string token, TimeSpan lease, RedisChannel channel, bool election, char mode = 'w',
        bool join = false, TimeSpan waiterTtl = default, string? value = null)
        => [token, (long)lease.TotalMilliseconds, channel.ToString(), keys.HubTag, election ? "1" : "0", mode.ToString(),
            join ? "1" : "0", (long)waiterTtl.TotalMilliseconds, value ?? "", WakeRoutes.PublishCommand(channel)];
}
