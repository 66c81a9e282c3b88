using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>Renewal by compare-and-extend: the expiry moves only while the key still holds our token.</summary>
internal static class RenewScript
{
    // KEYS: lock. ARGV: token, lease ms. Returns 1 when extended, 0 when the key is gone or someone else's.
    private static readonly CachedScript Script = new("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """);

    /// <summary>Runs the script; false when the hold is no longer ours.</summary>
    public static async Task<bool> RunAsync(IDatabaseAsync db, LockKeys keys, string token, TimeSpan lease)
    {
        var result = await Script.RunAsync(db, [keys.Lock], [token, (long)lease.TotalMilliseconds]).ConfigureAwait(false);
        return (long)result == 1;
    }
}
