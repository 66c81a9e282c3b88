using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>Reads a lock's state in one consistent snapshot, changing nothing.</summary>
internal static class InspectScript
{
    // KEYS: lock, fence, queue, deadlines. Returns { holder token or false, pttl, fence counter, live waiters... }.
    private static readonly CachedScript Script = new("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local result = { redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[2]) }
        for _, id in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
          local deadline = redis.call('ZSCORE', KEYS[4], id)
          if deadline and tonumber(deadline) > now then table.insert(result, id) end
        end
        return result
        """);

    /// <summary>The holder's token (null when free), its time left, the fencing counter and the live waiters' tokens in order.</summary>
    public static async Task<(string? Holder, TimeSpan? Left, long? Fence, string[] Waiters)> RunAsync(IDatabaseAsync db, LockKeys keys)
    {
        var result = (RedisResult[])(await Script.RunAsync(db, [keys.Lock, keys.Fence, keys.Queue, keys.Deadlines], []).ConfigureAwait(false))!;
        var holder = result[0].IsNull ? null : (string?)result[0];
        var pttl = (long)result[1];
        var fence = result[2].IsNull ? (long?)null : (long)result[2];
        var waiters = result.Skip(3).Select(r => (string)r!).ToArray();
        return (holder, holder is not null && pttl >= 0 ? TimeSpan.FromMilliseconds(pttl) : null, fence, waiters);
    }
}
