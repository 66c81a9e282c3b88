using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis.Connection;

/// <summary>
/// Turns the Redis client's "cannot reach the server" errors into <see cref="LockStoreUnavailableException"/> where they
/// leave a store, so callers catch one type for every store. Inside the store the client's own types stay, because the
/// internal retry and clean-up paths already know them.
/// </summary>
internal static class RedisUnavailable
{
    /// <summary>
    /// True for a connection that failed, was lost, or did not answer in time. Refused credentials are not
    /// "unavailable": they stay a <see cref="RedisConnectionException"/> with <see cref="ConnectionFailureType.AuthenticationFailure"/>.
    /// </summary>
    public static bool Is(Exception ex)
        => ex is RedisTimeoutException || (ex is RedisConnectionException c && c.FailureType != ConnectionFailureType.AuthenticationFailure);

    /// <summary>The error for <paramref name="endpoints"/> not answering, with <paramref name="inner"/> (which may already name them) kept.</summary>
    public static LockStoreUnavailableException Wrap(string kind, IReadOnlyList<string> endpoints, Exception inner)
        => new(kind, endpoints, $"Redis at {string.Join(",", endpoints)} cannot be reached: {inner.Message}", inner);
}
