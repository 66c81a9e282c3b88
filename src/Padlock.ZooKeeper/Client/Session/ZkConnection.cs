using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Padlock.ZooKeeper.Client.Jute;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Client.Session;

/// <summary>
/// One TCP connection to one server, carrying one session. A writer loop assigns xids and puts queued requests on the
/// wire (batching whatever is queued into one write), and pings when idle; a receive loop matches replies to the FIFO
/// of requests in flight. Either loop failing closes the connection and fails every request in flight with
/// CONNECTIONLOSS; the session then decides whether to reconnect.
/// </summary>
internal sealed class ZkConnection
{
    private readonly ZkSession _session;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly FrameReader _frames;
    private readonly Channel<PendingRequest> _outbox = Channel.CreateUnbounded<PendingRequest>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Queue<PendingRequest> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private TimeSpan _pingInterval;
    private TimeSpan _readTimeout;
    private long _lastSent;
    private long _lastReceived;
    private int _xid;
    private int _closed;
    private ITimer? _watchdog;

    private ZkConnection(ZkSession session, DnsEndPoint endpoint, Socket socket, Stream stream, int maxFrameLength)
    {
        _session = session;
        Endpoint = endpoint;
        _socket = socket;
        _stream = stream;
        _frames = new FrameReader(_stream, maxFrameLength);
    }

    public DnsEndPoint Endpoint { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Why the connection closed, once it has.</summary>
    public Exception? CloseReason { get; private set; }

    /// <summary>
    /// Connects and performs the handshake within <paramref name="timeout"/>. Returns the open connection and the
    /// server's answer; when that answer says the session expired, the connection is already closed.
    /// </summary>
    public static async Task<(ZkConnection Connection, ConnectResponse Response)> OpenAsync(
        ZkSession session, DnsEndPoint endpoint, ConnectRequest request, TimeSpan timeout, int maxFrameLength, Padlock.Stores.TlsFiles? tls, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, session.Time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        ZkConnection? connection = null;
        try
        {
            await socket.ConnectAsync(endpoint, cts.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (tls is not null)
            {
                // The handshake counts against the same connect timeout; a refused certificate is an AuthenticationException.
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(tls.ClientOptions(endpoint.Host), cts.Token).ConfigureAwait(false);
            }
            connection = new ZkConnection(session, endpoint, socket, stream, maxFrameLength);
            var w = new JuteWriter(64);
            request.Write(w);
            await connection._stream.WriteAsync(w.WrittenMemory, cts.Token).ConfigureAwait(false);
            var frame = await connection._frames.ReadFrameAsync(cts.Token).ConfigureAwait(false)
                ?? throw new IOException($"{endpoint.Host}:{endpoint.Port} closed the connection during the handshake (it may be behind this client's last zxid, or not serving).");
            var response = ConnectResponse.Read(frame);
            if (response.TimeoutMs <= 0) connection.CloseSocket();
            return (connection, response);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Dispose(connection, socket);
            throw new TimeoutException($"No handshake with {endpoint.Host}:{endpoint.Port} within {timeout.TotalMilliseconds:0} ms.");
        }
        catch
        {
            Dispose(connection, socket);
            throw;
        }

        static void Dispose(ZkConnection? c, Socket s)
        {
            if (c is not null) c.CloseSocket();
            else s.Dispose();
        }
    }

    /// <summary>
    /// Writes the priming packets (auth, then SetWatches), which must precede every queued request, and starts the loops.
    /// </summary>
    public async Task StartAsync(TimeSpan negotiatedTimeout, JuteWriter priming, CancellationToken cancellationToken)
    {
        // As the Java client: ping after a third of the session timeout of silence, give up after two thirds.
        _pingInterval = negotiatedTimeout / 3;
        _readTimeout = negotiatedTimeout * 2 / 3;
        _lastReceived = _lastSent = _session.Time.NowMs();
        if (priming.Length > 0) await _stream.WriteAsync(priming.WrittenMemory, cancellationToken).ConfigureAwait(false);
        // A timer rather than a check in either loop: both can be stuck in a socket call when the peer goes silent.
        var period = TimeSpan.FromMilliseconds(Math.Max(10, _readTimeout.TotalMilliseconds / 8));
        _watchdog = _session.Time.CreateTimer(static s => ((ZkConnection)s!).CheckAlive(), this, period, period);
        _ = Task.Run(ReceiveLoopAsync, CancellationToken.None);
        _ = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>Queues a request; false when the connection has closed (the request was not taken).</summary>
    public bool TrySend(PendingRequest request) => IsOpen && _outbox.Writer.TryWrite(request);

    /// <summary>Closes the connection; requests in flight fail with <paramref name="reason"/>'s code (CONNECTIONLOSS by default).</summary>
    public void Close(Exception reason) => Shutdown(reason);

    private async Task WriteLoopAsync()
    {
        var w = new JuteWriter(4096);
        Task<bool>? readable = null;
        Task? tick = null;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                w.Clear();
                while (w.Length < 64 * 1024 && _outbox.Reader.TryRead(out var request))
                {
                    request.Xid = NextXid();
                    // In the FIFO before its bytes leave, so the reply always finds it; after a shutdown has emptied the
                    // FIFO nothing may enter it, or it would never be failed.
                    lock (_inFlight)
                    {
                        if (!IsOpen)
                        {
                            request.Fail(ConnectionLoss(CloseReason));
                            continue;
                        }
                        _inFlight.Enqueue(request);
                    }
                    Requests.Frame(w, request.Xid, request.Op, request.WriteBody);
                }
                if (w.Length > 0)
                {
                    await _stream.WriteAsync(w.WrittenMemory, _stop.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastSent, _session.Time.NowMs());
                    if (!IsOpen) break;
                    continue;
                }

                readable ??= _outbox.Reader.WaitToReadAsync(_stop.Token).AsTask();
                if (!readable.IsCompleted)
                {
                    // One timer at a time, reused until it fires: the busy path allocates none.
                    tick ??= Task.Delay(TimeSpan.FromMilliseconds(Math.Max(10, _pingInterval.TotalMilliseconds / 4)), _session.Time, _stop.Token);
                    await Task.WhenAny(readable, tick).ConfigureAwait(false);
                }
                if (readable.IsCompleted)
                {
                    if (readable.IsCanceled || !readable.Result) break;
                    readable = null;
                }
                if (tick is { IsCompleted: true }) tick = null;

                var now = _session.Time.NowMs();
                if (now - Volatile.Read(ref _lastSent) >= _pingInterval.TotalMilliseconds)
                {
                    Requests.Frame(w, Xids.Ping, OpCode.Ping, null);
                    await _stream.WriteAsync(w.WrittenMemory, _stop.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastSent, now);
                }
            }
        }
        catch (Exception ex)
        {
            Shutdown(ex);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var frame = await _frames.ReadFrameAsync(_stop.Token).ConfigureAwait(false)
                    ?? throw new IOException($"{Endpoint.Host}:{Endpoint.Port} closed the connection.");
                var now = _session.Time.NowMs();
                Volatile.Write(ref _lastReceived, now);
                _session.OnContact(now);
                var header = ReplyHeader.Read(frame);
                switch (header.Xid)
                {
                    case Xids.Notification:
                        var type = frame.ReadInt();
                        var state = frame.ReadInt();
                        var path = frame.ReadRequiredString();
                        _session.OnNotification((WatchEventType)type, state, path);
                        break;
                    case Xids.Ping:
                    case Xids.SetWatches:
                        break;
                    case Xids.Auth:
                        if (header.Err != 0) _session.OnAuthFailed(this, (ZooKeeperErrorCode)header.Err);
                        break;
                    default:
                        OnReply(header, frame);
                        break;
                }
            }
        }
        catch (Exception ex)
        {
            Shutdown(ex);
        }
    }

    private void CheckAlive()
    {
        var silent = _session.Time.NowMs() - Volatile.Read(ref _lastReceived);
        if (silent > _readTimeout.TotalMilliseconds)
            Shutdown(new TimeoutException($"Nothing received from {Endpoint.Host}:{Endpoint.Port} for {silent} ms (read timeout {_readTimeout.TotalMilliseconds:0} ms)."));
    }

    private void OnReply(ReplyHeader header, JuteReader body)
    {
        PendingRequest request;
        lock (_inFlight)
        {
            if (!_inFlight.TryDequeue(out request!))
                throw new ProtocolException($"A reply with xid {header.Xid} arrived with no request in flight.");
        }
        if (request.Xid != header.Xid)
        {
            request.Fail(ConnectionLoss());
            throw new ProtocolException($"A reply with xid {header.Xid} arrived where xid {request.Xid} was expected: the reply stream is out of order.");
        }
        if (header.Zxid > 0) _session.OnZxid(header.Zxid);
        try
        {
            if (request.Watch is { } watch) _session.Watches.Register(watch, header.Err);
            request.Complete(header, body);
        }
        catch (ProtocolException)
        {
            request.Fail(ConnectionLoss());
            throw;
        }
    }

    private int NextXid()
    {
        // From 1 upward, wrapping to 1 before int.MaxValue: the negative xids are reserved.
        _xid = _xid >= int.MaxValue - 1 ? 1 : _xid + 1;
        return _xid;
    }

    private ZooKeeperException ConnectionLoss(Exception? reason = null)
        => new(ZooKeeperErrorCode.ConnectionLoss, $"the connection to {Endpoint.Host}:{Endpoint.Port} was lost{(reason is null ? "" : ": " + reason.Message)}", reason);

    private void Shutdown(Exception reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1) return;
        CloseReason = reason;
        _watchdog?.Dispose();
        _stop.Cancel();
        _outbox.Writer.TryComplete();
        CloseSocket();
        var error = reason is ZooKeeperException { Code: not ZooKeeperErrorCode.ConnectionLoss } zk
            ? new ZooKeeperException(zk.Code, zk.Message, reason)
            : ConnectionLoss(reason);
        // The outcome of these on the server is unknown: CONNECTIONLOSS (or the session's final code).
        while (_outbox.Reader.TryRead(out var queued)) queued.Fail(error);
        lock (_inFlight)
        {
            while (_inFlight.TryDequeue(out var pending)) pending.Fail(error);
        }
        _session.OnConnectionClosed(this, reason);
    }

    private void CloseSocket()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _stream.Dispose();
    }
}
