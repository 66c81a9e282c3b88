using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Connection;

/// <summary>
/// One multiplexer for one logical Redis (or one Redlock master). Padlock's own is opened on first use so building a
/// store never blocks; a failed first connection is an error naming the endpoints and the timeout (or the refused
/// credentials), and the next call tries again; once connected, the multiplexer reconnects by itself after a server
/// restart. An application's own multiplexer (<see cref="Borrow"/>) is used as it is and never closed: disposing
/// only removes the subscriptions made through it.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions? _config;
    private readonly IConnectionMultiplexer? _borrowed;
    private readonly TimeSpan _timeout;
    private readonly bool _requireConnected;
    private readonly Lock _gate = new();
    private readonly List<(RedisChannel Channel, Action<RedisChannel, RedisValue> Handler)> _subscriptions = [];
    private Task<IConnectionMultiplexer>? _connecting;
    private volatile WakeRoutes? _routes;
    private bool _disposed;

    /// <param name="endpoints">"host:port" of each server (one logical Redis, or cluster seeds).</param>
    /// <param name="options">Timeouts and the credentials.</param>
    /// <param name="tls">The TLS settings, or null for plain TCP.</param>
    /// <param name="requireConnected">
    /// True: the first connection must succeed or the call fails. False (Redlock masters): a server that is down still
    /// yields a multiplexer, whose commands fail at once while it keeps reconnecting in the background.
    /// </param>
    public RedisConnection(IEnumerable<string> endpoints, RedisLockOptions options, RedisTls? tls, bool requireConnected)
        : this(Configure(endpoints, options, tls), options.ConnectTimeout, requireConnected)
    {
    }

    /// <summary>A connection Padlock owns, with the caller's configuration (a StackExchange.Redis configuration string's).</summary>
    public RedisConnection(ConfigurationOptions config, TimeSpan timeout, bool requireConnected)
    {
        _config = config;
        // Padlock's own first-connect handling (waiting, naming the endpoints, refused credentials) applies to it too.
        _config.AbortOnConnectFail = false;
        Endpoints = string.Join(",", config.EndPoints.Select(RedisConfiguration.EndpointText));
        _timeout = timeout;
        _requireConnected = requireConnected;
    }

    private RedisConnection(IConnectionMultiplexer borrowed, TimeSpan timeout)
    {
        _borrowed = borrowed;
        _timeout = timeout;
        Endpoints = string.Join(",", borrowed.GetEndPoints().Select(RedisConfiguration.EndpointText));
        _connecting = Task.FromResult(borrowed);
    }

    /// <summary>The application's multiplexer, used as it is and never closed.</summary>
    public static RedisConnection Borrow(IConnectionMultiplexer connection, TimeSpan timeout) => new(connection, timeout);

    /// <summary>
    /// How wake-ups travel (classic or sharded pub/sub), decided when the first connection was made; null before that.
    /// Set before <see cref="GetAsync"/> first completes, so code that has awaited it may rely on it (an application's
    /// multiplexer: decided the first time it is asked while that multiplexer is connected).
    /// </summary>
    public WakeRoutes? Routes => _routes ??= _borrowed is { IsConnected: true } ? WakeRoutes.For(_borrowed) : null;

    /// <summary>The endpoints, for messages.</summary>
    public string Endpoints { get; }

    /// <summary>The multiplexer, connecting first if needed.</summary>
    /// <exception cref="RedisConnectionException">No server answered within the connect timeout, or the credentials were refused; the message names the endpoints.</exception>
    public Task<IConnectionMultiplexer> GetAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled) _connecting = ConnectAsync();
            return _connecting;
        }
    }

    /// <summary>Subscribes <paramref name="handler"/> to <paramref name="channel"/>; undone when this connection is disposed.</summary>
    public async Task SubscribeAsync(RedisChannel channel, Action<RedisChannel, RedisValue> handler)
    {
        var mux = await GetAsync().ConfigureAwait(false);
        await mux.GetSubscriber().SubscribeAsync(channel, handler).ConfigureAwait(false);
        lock (_gate) _subscriptions.Add((channel, handler));
    }

    /// <summary>Removes <paramref name="handler"/> from <paramref name="channel"/> (the channel is unsubscribed when it was the last).</summary>
    public async Task UnsubscribeAsync(RedisChannel channel, Action<RedisChannel, RedisValue> handler)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _subscriptions.Remove((channel, handler));
        }
        var mux = await GetAsync().ConfigureAwait(false);
        await mux.GetSubscriber().UnsubscribeAsync(channel, handler).ConfigureAwait(false);
    }

    /// <summary>The error for "this endpoint did not answer".</summary>
    public RedisConnectionException Unreachable(Exception? inner)
        => new(ConnectionFailureType.UnableToConnect, CommandFlags.None,
            $"Could not connect to Redis at {Endpoints} within {Durations.Format(_timeout)} (connect timeout; set with ?connecttimeout=). Is the server running and reachable, and does it speak TLS only when asked to (rediss:// or ?tls=true)?", inner, CommandStatus.Unknown);

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var failures = new ConnectFailures();
        ConnectionMultiplexer mux;
        try
        {
            // The extra allowance only guards against a connect that ignores its own timeout.
            mux = await ConnectionMultiplexer.ConnectAsync(_config!.Clone()).WaitAsync(_timeout * 2 + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw Unreachable(ex);
        }
        mux.ConnectionFailed += failures.OnFailed;
        // The multiplexer may hand itself back before its handshake is done; give it the rest of the connect timeout,
        // unless the server has already refused the credentials: waiting would not change its answer.
        for (var round = 0; !mux.IsConnected && !failures.AuthenticationRefused && System.Diagnostics.Stopwatch.GetElapsedTime(started) < _timeout; round++)
        {
            if (round % 10 == 0) await failures.ProbeAsync(mux).ConfigureAwait(false);
            await Task.Delay(10).ConfigureAwait(false);
        }
        mux.ConnectionFailed -= failures.OnFailed;
        if (_requireConnected && !mux.IsConnected)
        {
            await mux.DisposeAsync().ConfigureAwait(false);
            throw failures.AuthenticationRefused ? Refused(failures.Error) : Unreachable(failures.Error);
        }
        // Once: a reconnect to the same servers keeps the routes (a store on an upgraded cluster changes when reopened).
        _routes ??= WakeRoutes.For(mux);
        return mux;
    }

    // The client reports a failed TLS handshake (either side refusing the other's certificate) and refused
    // credentials alike; the message tells them apart by the TLS error underneath.
    private RedisConnectionException Refused(Exception? inner)
    {
        var tls = Innermost<System.Security.Authentication.AuthenticationException>(inner);
        var text = tls is not null
            ? $"The TLS handshake with Redis at {Endpoints} failed: {tls.Message} Check that the server's certificate is signed by a trusted CA (cafile) and carries the host name or IP address connected to (or tlshost), and that the client certificate (certfile, keyfile) is one the server accepts."
            : $"Redis at {Endpoints} refused the authentication: check the user and password (redis://user:password@host, percent-encoded) and the user's ACL. Server said: {inner?.Message ?? "(nothing)"}";
        return new(ConnectionFailureType.AuthenticationFailure, CommandFlags.None, text, inner, CommandStatus.Unknown);
    }

    private static T? Innermost<T>(Exception? ex) where T : Exception
    {
        T? found = null;
        for (; ex is not null; ex = ex.InnerException) if (ex is T t) found = t;
        return found;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task<IConnectionMultiplexer>? connecting;
        (RedisChannel Channel, Action<RedisChannel, RedisValue> Handler)[] subscriptions;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            connecting = _connecting;
            subscriptions = [.. _subscriptions];
        }
        if (_borrowed is not null)
        {
            // The application's connection stays open; only this store's handlers leave it.
            foreach (var (channel, handler) in subscriptions)
            {
                try
                {
                    await _borrowed.GetSubscriber().UnsubscribeAsync(channel, handler).ConfigureAwait(false);
                }
                catch (RedisException)
                {
                    // disconnected: the subscription is gone with the link, and the handler is dropped on reconnect
                }
            }
            return;
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

    private static ConfigurationOptions Configure(IEnumerable<string> endpoints, RedisLockOptions options, RedisTls? tls)
    {
        var config = new ConfigurationOptions
        {
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
        foreach (var e in endpoints) config.EndPoints.Add(e);
        tls?.Apply(config);
        return config;
    }
}
