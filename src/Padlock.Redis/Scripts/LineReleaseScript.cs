using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// Gives a reader-writer hold or a leadership back (or leaves the line, on timeout or cancellation: the same script,
/// which also gives back a hold that raced with the leaving) and, in the same script, hands the hold to the next
/// compatible waiters: a writer alone, or every reader up to the next writer.
/// </summary>
internal static class LineReleaseScript
{
    // Returns { 1 when our hold was removed else 0, then token, fence of each waiter granted }.
    private static readonly CachedScript Script = new(LineLua.Prelude + """
        redis.call('LREM', KEYS[4], 0, ARGV[1])
        redis.call('ZREM', KEYS[5], ARGV[1])
        redis.call('HDEL', KEYS[6], ARGV[1])
        local removed = redis.call('ZREM', KEYS[1], ARGV[1]) + redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[7], ARGV[1])
        redis.call('HDEL', KEYS[8], ARGV[1])
        purge()
        local result = { removed }
        for _, v in ipairs(promote()) do table.insert(result, v) end
        return finish(result)
        """);

    /// <summary>Runs the script: whether our hold was removed, and the waiters granted (token, fencing token).</summary>
    public static async Task<(bool Removed, (string Token, long Fence)[] Granted)> RunAsync(IDatabaseAsync db, LineKeys keys, string token,
        TimeSpan defaultLease, RedisChannel channel, bool election)
    {
        var result = (RedisResult[])(await Script.RunAsync(db, keys.All, LineLua.Args(keys, token, defaultLease, channel, election)).ConfigureAwait(false))!;
        var granted = new (string, long)[(result.Length - 1) / 2];
        for (var i = 0; i < granted.Length; i++) granted[i] = ((string)result[1 + 2 * i]!, (long)result[2 + 2 * i]);
        return ((long)result[0] > 0, granted);
    }
}
