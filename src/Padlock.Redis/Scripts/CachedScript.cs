using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Padlock.Redis.Scripts;

/// <summary>
/// A Lua script sent by its SHA-1 (EVALSHA), so each call carries a few bytes instead of the script's text; the text
/// goes only when the server does not know it yet (first use, or after a restart or SCRIPT FLUSH).
/// </summary>
internal sealed class CachedScript(string lua)
{
#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; it is not used for security here.
    private readonly byte[] _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(lua));
#pragma warning restore CA5350

    /// <summary>Runs the script on the node owning <paramref name="keys"/>' slot.</summary>
    public Task<RedisResult> RunAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] values) => RunAsync(db, keys, values, static r => r);

    /// <summary>
    /// Runs the script and reads its reply with <paramref name="read"/> in the same continuation (the lock's hot
    /// scripts: one state machine per call rather than one here and one in the caller).
    /// </summary>
    public async Task<T> RunAsync<T>(IDatabaseAsync db, RedisKey[] keys, RedisValue[] values, Func<RedisResult, T> read)
    {
        RedisResult result;
        try
        {
            result = await db.ScriptEvaluateAsync(_sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            result = await db.ScriptEvaluateAsync(lua, keys, values).ConfigureAwait(false);
        }
        return read(result);
    }
}
