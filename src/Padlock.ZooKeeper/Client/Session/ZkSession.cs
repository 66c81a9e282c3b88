using System.Net;
using Microsoft.Extensions.Logging;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Client.Watches;

namespace Padlock.ZooKeeper.Client.Session;

/// <summary>
/// One ZooKeeper session across connections: connects, and after a connection loss reconnects to the next server of
/// the list with the same session id, password and last zxid, re-sending auth and re-arming watches. Expiry (the
/// server's answer to a reconnect) and close are final. State changes and watch events reach subscribers in order.
/// </summary>
internal sealed class ZkSession : IAsyncDisposable
{
    private static readonly byte[] NoPassword = new byte[16];

    private readonly ZooKeeperClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ConnectString _connect;
    private readonly ILogger _logger;
    private readonly EventDispatcher _dispatcher;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ZkConnection? _current;
    private ConnectionState _state = ConnectionState.Disconnected;
    private ZooKeeperException? _final;
    private long _sessionId;
    private byte[] _password = NoPassword;
    private long _lastZxid;
    private int _serverIndex;
    private long _notifications;
    private long _disconnectedSince;
    private long _lastContact;

    private ZkSession(ZooKeeperClientOptions options, ConnectString connect, ILogger logger)
    {
        _options = options;
        _time = options.Time;
        _lastContact = _time.NowMs();
        _connect = connect;
        _logger = logger;
        _dispatcher = new EventDispatcher(logger);
        _serverIndex = Random.Shared.Next(connect.Servers.Count);
        if (options.ResumeSession is { } resume)
        {
            _sessionId = resume.Id;
            _password = resume.Password;
        }
    }

    public WatchManager Watches { get; } = new();

    public string? Chroot => _connect.Chroot;

    /// <summary>The clock of this session's timeouts and silence measures.</summary>
    public TimeProvider Time => _time;

    public long SessionId => Interlocked.Read(ref _sessionId);

    public byte[] Password => _password;

    public long LastZxid => Interlocked.Read(ref _lastZxid);

    public TimeSpan NegotiatedTimeout { get; private set; }

    public ConnectionState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>The server of the current connection, or null while disconnected.</summary>
    public DnsEndPoint? ConnectedServer => _current is { IsOpen: true } c ? c.Endpoint : null;

    /// <summary>How many watch notifications the servers have sent this session.</summary>
    public long NotificationsReceived => Interlocked.Read(ref _notifications);

    /// <summary>How long the session has been without a connection (zero while connected).</summary>
    public TimeSpan DisconnectedFor
    {
        get
        {
            var since = Interlocked.Read(ref _disconnectedSince);
            return since == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_time.NowMs() - since);
        }
    }

    /// <summary>Raised (on the event task, in order with watch events) on every state change.</summary>
    public event Action<ConnectionState>? StateChanged;

    public static async Task<ZkSession> ConnectAsync(ZooKeeperClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        options.Validate();
        var connect = ConnectString.Parse(options.ConnectString);
        var session = new ZkSession(options, connect, logger);
        using var timer = new CancellationTokenSource(options.ConnectTimeout, options.Time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var errors = new List<string>();
        try
        {
            // Try each server in turn, round and round, until one answers or the connect timeout passes.
            for (var attempt = 0; ; attempt++)
            {
                var endpoint = connect.Servers[session._serverIndex];
                try
                {
                    if (await session.TryConnectAsync(endpoint, cts.Token).ConfigureAwait(false)) return session;
                    throw session._final!;
                }
                catch (Exception ex) when (ex is not ZooKeeperException && !cts.IsCancellationRequested)
                {
                    errors.Add($"{endpoint.Host}:{endpoint.Port}: {ex.Message}");
                    session._serverIndex = (session._serverIndex + 1) % connect.Servers.Count;
                    if ((attempt + 1) % connect.Servers.Count == 0)
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200, 20 * (attempt + 1))), options.Time, cts.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not ZooKeeperException && !cancellationToken.IsCancellationRequested)
        {
            // Out of time (the last attempt may have ended in its own timeout): one error that names every server.
            await session.DisposeAsync().ConfigureAwait(false);
            var last = ex is OperationCanceledException ? (errors.Count == 0 ? "no answer" : errors[^1]) : ex.Message;
            throw new ZooKeeperException(ZooKeeperErrorCode.ConnectionLoss,
                $"could not connect to ZooKeeper at {connect} within {options.ConnectTimeout.TotalSeconds:0.###} s (last error: {last}).", ex);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // The waits below resume with ForceYielding: a timeout or cancellation completes them from inside a token's
    // Cancel(), and the caller's code must not run inline there (another thread disposing a registration of that
    // token would wait for it).

    /// <summary>Sends <paramref name="request"/> once connected and waits for its reply, within the request timeout.</summary>
    public async Task<T> SendAsync<T>(PendingRequest<T> request, CancellationToken cancellationToken)
    {
        var deadline = _time.NowMs() + (long)_options.RequestTimeout.TotalMilliseconds;
        while (true)
        {
            ZkConnection? connection;
            Task connected;
            lock (_gate)
            {
                if (_final is not null) throw new ZooKeeperException(_final.Code, $"{request.Op} {request.Path}: the session is {_state.ToString().ToLowerInvariant()}.");
                connection = _current;
                connected = _connected.Task;
            }
            if (connection is not null)
            {
                if (connection.TrySend(request)) break;
                // It closed a moment ago and the session is about to hear of it. Wait on a timer, not Task.Yield:
                // a yield loop can keep a pool thread busy with itself and starve the very work that ends the wait.
                if (_time.NowMs() >= deadline) throw NotConnected(request);
                await Task.Delay(TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var left = deadline - _time.NowMs();
            if (left <= 0) throw NotConnected(request);
            try
            {
                await connected.WaitAsync(TimeSpan.FromMilliseconds(left), _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }
            catch (TimeoutException)
            {
                throw NotConnected(request);
            }
        }
        try
        {
            var wait = Math.Max(1, deadline - _time.NowMs());
            return await request.Task.WaitAsync(TimeSpan.FromMilliseconds(wait), _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        catch (TimeoutException)
        {
            // The reply may still come; it will find this request in the FIFO and complete it unobserved.
            throw new ZooKeeperException(ZooKeeperErrorCode.RequestTimeout,
                $"{request.Op} {request.Path}: no reply within {_options.RequestTimeout.TotalMilliseconds:0} ms.");
        }
    }

    /// <summary>Waits until connected (true), or until the timeout passes (false); throws once the session is final.</summary>
    public async Task<bool> WaitConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task connected;
        lock (_gate)
        {
            if (_final is not null) throw new ZooKeeperException(_final.Code, $"the session is {_state.ToString().ToLowerInvariant()}.");
            connected = _connected.Task;
        }
        try
        {
            await connected.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        catch (TimeoutException)
        {
            return false;
        }
        lock (_gate)
        {
            if (_final is not null) throw new ZooKeeperException(_final.Code, $"the session is {_state.ToString().ToLowerInvariant()}.");
        }
        return true;
    }

    private ZooKeeperException NotConnected(PendingRequest request)
        => new(ZooKeeperErrorCode.ConnectionLoss, $"{request.Op} {request.Path}: not connected to any of {_connect} within {_options.RequestTimeout.TotalMilliseconds:0} ms.");

    internal void OnContact(long tick) => Volatile.Write(ref _lastContact, tick);

    /// <summary>
    /// Time since the last message from any server. The server expires the session once it has heard nothing for the
    /// negotiated timeout; a holder measuring from here knows how much of that time may already be gone.
    /// </summary>
    public TimeSpan SinceLastContact => TimeSpan.FromMilliseconds(_time.NowMs() - Volatile.Read(ref _lastContact));

    internal void OnZxid(long zxid)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _lastZxid)) < zxid && Interlocked.CompareExchange(ref _lastZxid, zxid, seen) != seen) { }
    }

    internal void OnNotification(WatchEventType type, int state, string serverPath)
    {
        Interlocked.Increment(ref _notifications);
        var e = new WatchedEvent(type, ConnectionState.Connected, ToClientPath(serverPath));
        var fired = Watches.Trigger(e);
        if (fired.Count == 0) return;
        _dispatcher.Post(() =>
        {
            foreach (var watcher in fired) watcher(e);
        });
    }

    internal void OnAuthFailed(ZkConnection connection, ZooKeeperErrorCode code)
        => EndSession(new ZooKeeperException(code, "authentication with the digest credentials was refused."), ConnectionState.AuthFailed);

    internal void OnConnectionClosed(ZkConnection connection, Exception reason)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_current, connection)) return;
            _current = null;
            if (_final is not null || _closing.IsCancellationRequested) return;
            _state = ConnectionState.Disconnected;
            // A connection that closed before it was announced leaves the pending signal in place: whoever waits on
            // it must hear of the next successful connect.
            if (_connected.Task.IsCompleted) _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _disconnectedSince, _time.NowMs());
        }
        _logger.LogInformation("ZooKeeper session 0x{SessionId:x} lost its connection to {Host}:{Port}: {Reason}",
            SessionId, connection.Endpoint.Host, connection.Endpoint.Port, reason.Message);
        Publish(ConnectionState.Disconnected);
        _ = Task.Run(ReconnectLoopAsync);
    }

    private async Task ReconnectLoopAsync()
    {
        var first = true;
        while (!_closing.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (_final is not null) return;
            }
            _serverIndex = (_serverIndex + 1) % _connect.Servers.Count;
            var endpoint = _connect.Servers[_serverIndex];
            try
            {
                // Spread the herd of clients reconnecting after a server dies.
                if (!first) await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000)), _time, _closing.Token).ConfigureAwait(false);
                first = false;
                _logger.LogDebug("Reconnecting session 0x{SessionId:x} to {Host}:{Port}", SessionId, endpoint.Host, endpoint.Port);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
                await TryConnectAsync(endpoint, attempt.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogDebug("Reconnecting session 0x{SessionId:x} to {Host}:{Port} failed: {Reason}", SessionId, endpoint.Host, endpoint.Port, ex.Message);
            }
        }
    }

    /// <summary>One connection attempt: true when connected, false when the server says the session expired.</summary>
    private async Task<bool> TryConnectAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var request = new ConnectRequest(LastZxid, (int)_options.SessionTimeout.TotalMilliseconds, SessionId, _password);
        var (connection, response) = await ZkConnection.OpenAsync(this, endpoint, request, _options.ConnectTimeout, _options.MaxFrameLength, _options.Tls, cancellationToken).ConfigureAwait(false);
        if (response.TimeoutMs <= 0)
        {
            EndSession(new ZooKeeperException(ZooKeeperErrorCode.SessionExpired, $"session 0x{SessionId:x} has expired."), ConnectionState.Expired);
            return false;
        }
        NegotiatedTimeout = TimeSpan.FromMilliseconds(response.TimeoutMs);
        OnContact(_time.NowMs());
        Interlocked.Exchange(ref _sessionId, response.SessionId);
        _password = response.Password;
        lock (_gate)
        {
            if (_final is not null)
            {
                connection.Close(_final);
                throw _final;
            }
            _current = connection;
        }
        try
        {
            await connection.StartAsync(NegotiatedTimeout, SessionPriming.Build(_options.DigestAuth, Watches.Snapshot(), LastZxid, ToServerPath), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            connection.Close(ex);
            throw;
        }
        TaskCompletionSource connected;
        lock (_gate)
        {
            if (!connection.IsOpen || _final is not null) throw new IOException($"{endpoint.Host}:{endpoint.Port} closed the connection right after the handshake.");
            _state = ConnectionState.Connected;
            connected = _connected;
            Interlocked.Exchange(ref _disconnectedSince, 0);
        }
        _logger.LogInformation("ZooKeeper session 0x{SessionId:x} connected to {Host}:{Port} (timeout {Timeout} ms)", SessionId, endpoint.Host, endpoint.Port, response.TimeoutMs);
        Publish(ConnectionState.Connected);
        connected.TrySetResult();
        return true;
    }

    /// <summary>Marks the session over: every request and watch fails or ends with <paramref name="error"/>'s code.</summary>
    private void EndSession(ZooKeeperException error, ConnectionState state)
    {
        ZkConnection? connection;
        TaskCompletionSource connected;
        lock (_gate)
        {
            if (_final is not null) return;
            _final = error;
            _state = state;
            connection = _current;
            connected = _connected;
        }
        if (state != ConnectionState.Closed)
            _logger.LogWarning("ZooKeeper session 0x{SessionId:x} ended: {State}", SessionId, state);
        connection?.Close(error);
        // Wake everyone waiting for a connection: they re-check and see the final state.
        connected.TrySetResult();
        var watchers = Watches.TakeAll();
        var e = new WatchedEvent(WatchEventType.None, state, null);
        _dispatcher.Post(() =>
        {
            foreach (var watcher in watchers) watcher(e);
        });
        Publish(state);
    }

    private void Publish(ConnectionState state) => _dispatcher.Post(() => StateChanged?.Invoke(state));

    public string ToServerPath(string path) => _connect.Chroot is null ? path : path == "/" ? _connect.Chroot : _connect.Chroot + path;

    public string ToClientPath(string serverPath)
    {
        if (_connect.Chroot is not { } chroot) return serverPath;
        if (serverPath == chroot) return "/";
        return serverPath.StartsWith(chroot + "/", StringComparison.Ordinal) ? serverPath[chroot.Length..] : serverPath;
    }

    /// <summary>Closes the session on the server (when connected) and stops reconnecting.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        ZkConnection? connection;
        lock (_gate)
        {
            if (_final is not null) return;
            connection = _current;
        }
        // From here on a closed socket is the end, not a reason to reconnect.
        _closing.Cancel();
        if (connection is { IsOpen: true })
        {
            var close = new PendingRequest<bool>(OpCode.CloseSession, null, static _ => { }, static _ => true);
            if (connection.TrySend(close))
            {
                try { await close.Task.WaitAsync(timeout, _time).ConfigureAwait(false); }
                catch (Exception ex) when (ex is ZooKeeperException or TimeoutException) { }
            }
        }
        EndSession(new ZooKeeperException(ZooKeeperErrorCode.SessionExpired, "the client closed the session."), ConnectionState.Closed);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        await _dispatcher.DisposeAsync().ConfigureAwait(false);
    }
}
