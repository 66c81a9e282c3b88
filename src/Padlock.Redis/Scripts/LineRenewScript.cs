using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>Renews one reader-writer hold or leadership: its lease moves only while the hold is still ours and unexpired.</summary>
internal static class LineRenewScript
{
    // Returns 1 when extended, 0 when the hold is gone or expired.
    private static readonly CachedScript Script = new(LineLua.Prelude + """
        local lease = tonumber(ARGV[2])
        for _, set in ipairs({ KEYS[1], KEYS[2] }) do
          local ends = redis.call('ZSCORE', set, ARGV[1])
          if ends and tonumber(ends) > now then
            redis.call('ZADD', set, 'XX', now + lease, ARGV[1])
            keep(set, lease)
            keep(KEYS[7], lease)
            keep(KEYS[8], lease)
            return 1
          end
        end
        return 0
        """);

    /// <summary>Runs the script; false when the hold is no longer ours.</summary>
    public static async Task<bool> RunAsync(IDatabaseAsync db, LineKeys keys, string token, TimeSpan lease, RedisChannel channel)
        => (long)await Script.RunAsync(db, keys.All, LineLua.Args(keys, token, lease, channel, election: false)).ConfigureAwait(false) == 1;
}
