using StackExchange.Redis;

namespace Padlock.Redis.Connection;

/// <summary>
/// One <see cref="ConnectionMultiplexer"/> for one logical Redis (or one Redlock master), opened on first use so
/// building a store never blocks. A failed first connection is an error naming the endpoints and the timeout, and
/// the next call tries again; once connected, the multiplexer reconnects by itself after a server restart.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _config;
    private readonly TimeSpan _timeout;
    private readonly bool _requireConnected;
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private bool _disposed;

    /// <param name="endpoints">"host:port" of each server (one logical Redis, or cluster seeds).</param>
    /// <param name="options">Timeouts and the password.</param>
    /// <param name="requireConnected">
    /// True: the first connection must succeed or the call fails. False (Redlock masters): a server that is down still
    /// yields a multiplexer, whose commands fail at once while it keeps reconnecting in the background.
    /// </param>
    public RedisConnection(IEnumerable<string> endpoints, RedisLockOptions options, bool requireConnected)
    {
        _config = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds,
            SyncTimeout = (int)options.ConnectTimeout.TotalMilliseconds,
            AsyncTimeout = (int)options.ConnectTimeout.TotalMilliseconds,
            ConnectRetry = 1,
            ClientName = "padlock",
            // A lock call against a server that is down must fail now, not sit in a backlog until the timeout.
            BacklogPolicy = BacklogPolicy.FailFast,
            User = options.User,
            Password = options.Password,
            // With a service name the endpoints are Sentinels; the multiplexer connects to the master they report.
            ServiceName = options.SentinelServiceName,
        };
        foreach (var e in endpoints) _config.EndPoints.Add(e);
        Endpoints = string.Join(",", endpoints);
        _timeout = options.ConnectTimeout;
        _requireConnected = requireConnected;
    }

    /// <summary>The endpoints as given, for messages.</summary>
    public string Endpoints { get; }

    /// <summary>The multiplexer, connecting first if needed.</summary>
    /// <exception cref="RedisConnectionException">No server answered within the connect timeout; the message names the endpoints.</exception>
    public Task<ConnectionMultiplexer> GetAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled) _connecting = ConnectAsync();
            return _connecting;
        }
    }

    /// <summary>The error for "this endpoint did not answer".</summary>
    public RedisConnectionException Unreachable(Exception? inner)
        => new(ConnectionFailureType.UnableToConnect, CommandFlags.None,
            $"Could not connect to Redis at {Endpoints} within {Durations.Format(_timeout)} (connect timeout; set with ?connecttimeout=). Is the server running and reachable?", inner, CommandStatus.Unknown);

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ConnectionMultiplexer mux;
        try
        {
            // The extra allowance only guards against a connect that ignores its own timeout.
            mux = await ConnectionMultiplexer.ConnectAsync(_config.Clone()).WaitAsync(_timeout * 2 + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw Unreachable(ex);
        }
        // The multiplexer may hand itself back before its handshake is done; give it the rest of the connect timeout.
        while (!mux.IsConnected && System.Diagnostics.Stopwatch.GetElapsedTime(started) < _timeout)
            await Task.Delay(10).ConfigureAwait(false);
        if (_requireConnected && !mux.IsConnected)
        {
            await mux.DisposeAsync().ConfigureAwait(false);
            throw Unreachable(null);
        }
        return mux;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            connecting = _connecting;
        }
        if (connecting is null) return;
        try
        {
            var mux = await connecting.ConfigureAwait(false);
            await mux.DisposeAsync().ConfigureAwait(false);
        }
        catch (RedisConnectionException)
        {
            // never connected: nothing to close
        }
    }
}
