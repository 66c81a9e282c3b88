using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// Reads a semaphore's, reader-writer lock's or election's holders and waiters in one consistent snapshot, changing
/// nothing (expired holders and waiters past their check-in are left out, as the next script would purge them).
/// </summary>
internal static class InspectLineScript
{
    // KEYS: a semaphore's holders, queue, deadlines, grants; or a line's readers, writer, queue, deadlines, grants,
    // modes, values. Returns { holders, waiters }: each holder { token, "r"/"w", ms left, token or false, value or false },
    // each waiter { token, "r"/"w" or false, value or false }.
    private static readonly CachedScript Script = new("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local line = #KEYS == 7
        local q, d, g = 2, 3, 4
        if line then q, d, g = 3, 4, 5 end
        local function value(id)
          if not line then return false end
          return redis.call('HGET', KEYS[7], id) or false
        end
        local holders = {}
        local function add(set, mode)
          local ids = redis.call('ZRANGEBYSCORE', set, '(' .. now, '+inf', 'WITHSCORES')
          for i = 1, #ids, 2 do
            local id = ids[i]
            table.insert(holders, { id, mode, tostring(tonumber(ids[i + 1]) - now), redis.call('HGET', KEYS[g], id) or false, value(id) })
          end
        end
        if line then
          add(KEYS[1], 'r')
          add(KEYS[2], 'w')
        else
          add(KEYS[1], 'w')
        end
        local waiters = {}
        for _, id in ipairs(redis.call('LRANGE', KEYS[q], 0, -1)) do
          local deadline = redis.call('ZSCORE', KEYS[d], id)
          if deadline and tonumber(deadline) > now then
            local mode = false
            if line then mode = redis.call('HGET', KEYS[6], id) or 'w' end
            table.insert(waiters, { id, mode, value(id) })
          end
        end
        return { holders, waiters }
        """);

    /// <summary>The holders (token, mode, time left, fencing token, value) and the live waiters (token, mode, value) in line order.</summary>
    public static Task<(List<Holder> Holders, List<Waiter> Waiters)> RunAsync(IDatabaseAsync db, SemaphoreKeys keys)
        => RunAsync(db, [keys.Holders, keys.Queue, keys.Deadlines, keys.Grants]);

    /// <inheritdoc cref="RunAsync(IDatabaseAsync, SemaphoreKeys)"/>
    public static Task<(List<Holder> Holders, List<Waiter> Waiters)> RunAsync(IDatabaseAsync db, LineKeys keys)
        => RunAsync(db, [keys.Readers, keys.Writer, keys.Queue, keys.Deadlines, keys.Grants, keys.Modes, keys.Values]);

    private static async Task<(List<Holder> Holders, List<Waiter> Waiters)> RunAsync(IDatabaseAsync db, RedisKey[] keys)
    {
        var result = (RedisResult[])(await Script.RunAsync(db, keys, []).ConfigureAwait(false))!;
        var holders = ((RedisResult[])result[0]!).Select(r =>
        {
            var f = (RedisResult[])r!;
            return new Holder((string)f[0]!, (string)f[1]! == "r", TimeSpan.FromMilliseconds((long)f[2]), f[3].IsNull ? null : (long)f[3], f[4].IsNull ? null : (string?)f[4]);
        }).ToList();
        var waiters = ((RedisResult[])result[1]!).Select(r =>
        {
            var f = (RedisResult[])r!;
            return new Waiter((string)f[0]!, f[1].IsNull ? null : (string)f[1]! == "r", f[2].IsNull ? null : (string?)f[2]);
        }).ToList();
        return (holders, waiters);
    }

    /// <summary>A holder: its owner token, whether it reads, its lease left, its fencing token and (elections) its value.</summary>
    internal readonly record struct Holder(string Token, bool Reads, TimeSpan Left, long? Fence, string? Value);

    /// <summary>A waiter: its owner token, whether it would read (null for a semaphore) and (elections) its value.</summary>
    internal readonly record struct Waiter(string Token, bool? Reads, string? Value);
}
