using StackExchange.Redis;

namespace Padlock.Samples.Fencing;

/// <summary>
/// A Redis value guarded by fencing tokens: the value and the highest token seen live in one hash, and a script checks
/// and writes them in one atomic step. Reads that feed a write claim the hash for the token too (see docs/fencing.md).
/// </summary>
public sealed class FencedRedisValue(IDatabase redis, RedisKey key)
{
    // KEYS[1] = the hash; ARGV[1] = token; ARGV[2] = the new value, or absent for a read that claims the hash.
    private const string Script = """
        local seen = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
        if tonumber(ARGV[1]) < seen then return redis.error_reply('STALE fencing token') end
        redis.call('HSET', KEYS[1], 'fence', ARGV[1])
        if ARGV[2] then redis.call('HSET', KEYS[1], 'value', ARGV[2]) end
        return redis.call('HGET', KEYS[1], 'value')
        """;

    /// <summary>Reads the value, claiming it for <paramref name="token"/>; null when it was never written.</summary>
    /// <exception cref="StaleFencingTokenException">A higher token has been here.</exception>
    public Task<string?> ReadAsync(long token) => RunAsync(token, []);

    /// <summary>Writes <paramref name="value"/> under <paramref name="token"/>.</summary>
    /// <exception cref="StaleFencingTokenException">A higher token has been here.</exception>
    public Task WriteAsync(string value, long token) => RunAsync(token, [value]);

    private async Task<string?> RunAsync(long token, RedisValue[] value)
    {
        try
        {
            var result = await redis.ScriptEvaluateAsync(Script, [key], [token, .. value]);
            return result.IsNull ? null : (string?)result;
        }
        catch (RedisServerException ex) when (ex.Message.Contains("STALE", StringComparison.Ordinal))
        {
            throw new StaleFencingTokenException(token, $"redis key {key}");
        }
    }
}
