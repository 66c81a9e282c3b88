using Padlock.Redis.Keys;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// Gives a permit back (or leaves the line, on timeout or cancellation: the same script, which also gives back a
/// permit that raced with the leaving) and, in the same script, hands every free permit to the head of the line.
/// </summary>
internal static class SemaphoreReleaseScript
{
    // ARGV: token, channel, hub tag, default lease ms, publish command. Returns { 1 when our permit was removed else 0, then token, fence
    // of each waiter granted }.
    private static readonly CachedScript Script = new(SemaphoreLua.Prelude + """
        redis.call('LREM', KEYS[3], 0, ARGV[1])
        redis.call('ZREM', KEYS[4], ARGV[1])
        local removed = redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[6], ARGV[1])
        purge()
        local max = tonumber(redis.call('GET', KEYS[5]))
        local result = { removed }
        if max then
          for _, v in ipairs(promote(max, ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5])) do table.insert(result, v) end
        end
        return result
        """);

    /// <summary>Runs the script: whether our permit was removed, and the waiters granted (token, fencing token).</summary>
    public static async Task<(bool Removed, (string Token, long Fence)[] Granted)> RunAsync(IDatabaseAsync db, SemaphoreKeys keys, string token,
        TimeSpan defaultLease, RedisChannel channel)
    {
        var result = (RedisResult[])(await Script.RunAsync(db, keys.All,
            [token, channel.ToString(), keys.HubTag, (long)defaultLease.TotalMilliseconds, WakeRoutes.PublishCommand(channel)]).ConfigureAwait(false))!;
        var granted = new (string, long)[(result.Length - 1) / 2];
        for (var i = 0; i < granted.Length; i++) granted[i] = ((string)result[1 + 2 * i]!, (long)result[2 + 2 * i]);
        return ((long)result[0] == 1, granted);
    }
}
