using StackExchange.Redis;

namespace Padlock.Redis.Connection;

/// <summary>
/// What went wrong while a first connection was being made, so a refused password or client certificate is reported
/// as such at once rather than as a connect timeout.
/// </summary>
internal sealed class ConnectFailures
{
    private volatile Exception? _error;
    private volatile bool _refused;

    /// <summary>True once a server refused the credentials (AUTH, HELLO, or the TLS handshake's client certificate).</summary>
    public bool AuthenticationRefused => _refused;

    /// <summary>The last failure seen, or null.</summary>
    public Exception? Error => _error;

    /// <summary>The multiplexer's ConnectionFailed handler.</summary>
    public void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.Exception is not null) _error = e.Exception;
        if (e.FailureType == ConnectionFailureType.AuthenticationFailure) _refused = true;
    }

    /// <summary>
    /// Asks a multiplexer that is not connected yet why: a command fails at once (fail-fast backlog) with the
    /// endpoint's last connection failure inside, which the events may have reported before anyone listened.
    /// </summary>
    public async Task ProbeAsync(IConnectionMultiplexer mux)
    {
        try
        {
            await mux.GetDatabase().PingAsync().ConfigureAwait(false);
        }
        catch (RedisConnectionException ex)
        {
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                if (e is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } refused)
                {
                    _error = refused.InnerException ?? refused;
                    _refused = true;
                    return;
                }
            }
            _error ??= ex;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _error ??= ex;
        }
    }
}
