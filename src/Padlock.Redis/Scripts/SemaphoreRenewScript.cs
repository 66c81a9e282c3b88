using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>Renews one permit: its lease moves only while the permit is still ours and unexpired.</summary>
internal static class SemaphoreRenewScript
{
    // ARGV: token, lease ms. Returns 1 when extended, 0 when the permit is gone or expired.
    private static readonly CachedScript Script = new(SemaphoreLua.Prelude + """
        local lease = tonumber(ARGV[2])
        local ends = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not ends or tonumber(ends) <= now then return 0 end
        redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[1])
        keep(KEYS[1], lease)
        keep(KEYS[6], lease)
        keep(KEYS[5], lease)
        return 1
        """);

    /// <summary>Runs the script; false when the permit is no longer ours.</summary>
    public static async Task<bool> RunAsync(IDatabaseAsync db, SemaphoreKeys keys, string token, TimeSpan lease)
        => (long)await Script.RunAsync(db, keys.All, [token, (long)lease.TotalMilliseconds]).ConfigureAwait(false) == 1;
}
