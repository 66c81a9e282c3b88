using Padlock.Redis.Keys;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>The election's own scripts: a guarded proclaim and a read of the leader.</summary>
internal static class ElectionScripts
{
    // Returns 1 when the value was set, 0 when the token no longer leads (released, replaced, or its lease ended).
    private static readonly CachedScript Proclaim = new(LineLua.Prelude + """
        local ends = redis.call('ZSCORE', KEYS[2], ARGV[1])
        -- Our token (unique to this campaign, so it names this term) must lead, and its lease must not have ended: an
        -- expired leader that nobody has purged yet is no longer the leader either.
        if not ends or tonumber(ends) <= now then return finish(0) end
        redis.call('HSET', KEYS[8], ARGV[1], ARGV[9])
        return finish(1)
        """);

    // Returns {} when nobody leads (or the leader's lease has ended), else { term, value }. Changes nothing.
    private static readonly CachedScript Leader = new("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local w = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf', 'LIMIT', 0, 1)
        if #w == 0 then return {} end
        local term = redis.call('HGET', KEYS[7], w[1])
        if not term then return {} end
        return { tonumber(term), redis.call('HGET', KEYS[8], w[1]) or '' }
        """);

    /// <summary>Sets the leader's value when <paramref name="token"/> still leads; false otherwise.</summary>
    public static async Task<bool> ProclaimAsync(IDatabaseAsync db, LineKeys keys, string token, string value, RedisChannel channel)
        => (long)await Proclaim.RunAsync(db, keys.All, LineLua.Args(keys, token, TimeSpan.Zero, channel, election: true, value: value))
            .ConfigureAwait(false) == 1;

    /// <summary>The current leader, or null.</summary>
    public static async Task<LeaderInfo?> LeaderAsync(IDatabaseAsync db, LineKeys keys)
    {
        var result = (RedisResult[])(await Leader.RunAsync(db, keys.All, []).ConfigureAwait(false))!;
        return result.Length == 0 ? null : new LeaderInfo((string)result[1]!, (long)result[0]);
    }
}
