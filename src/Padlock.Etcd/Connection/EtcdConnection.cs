using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Padlock.Etcd.Connection;

/// <summary>
/// One client's link to the cluster: an HTTP/2 channel per endpoint, all requests on the current one, and a move to
/// the next endpoint when a request finds its member dead, leaderless or silent. Every request the store sends is
/// safe to repeat (the acquire transaction only creates our key when it is absent; deletes and reads are idempotent),
/// so a request whose outcome is unknown is simply sent again to another member.
/// </summary>
internal sealed class EtcdConnection : IDisposable
{
    private readonly GrpcChannel[] _channels;
    private readonly CallInvoker[] _raw;
    private readonly CallInvoker[] _invokers;
    private readonly EtcdAuth? _auth;
    private readonly TimeProvider _time;
    private int _current;

    /// <param name="endpoints">"host:port" of each member.</param>
    /// <param name="connectTimeout">How long to keep trying the members.</param>
    /// <param name="requestTimeout">The deadline of one request.</param>
    /// <param name="time">The clock.</param>
    /// <param name="tls">The TLS settings (https), or null for plain http.</param>
    /// <param name="auth">The user's authentication, or null when the cluster has none.</param>
    public EtcdConnection(IReadOnlyList<string> endpoints, TimeSpan connectTimeout, TimeSpan requestTimeout, TimeProvider time, EtcdTls? tls = null, EtcdAuth? auth = null)
    {
        Endpoints = endpoints;
        ConnectTimeout = connectTimeout;
        RequestTimeout = requestTimeout;
        _time = time;
        _auth = auth;
        _channels = [.. endpoints.Select(e => GrpcChannel.ForAddress((tls is null ? "http://" : "https://") + e, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = connectTimeout,
                // One long-lived connection per member carries every request and the watch stream; pings find a silent member.
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(10),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
                SslOptions = tls?.ClientOptions() ?? new System.Net.Security.SslClientAuthenticationOptions(),
            },
            DisposeHttpClient = true,
        }))];
        _raw = [.. _channels.Select(c => c.CreateCallInvoker())];
        _invokers = auth is null ? _raw : [.. _raw.Select(r => r.Intercept(auth.AddTo))];
    }

    private EtcdConnection(CallInvoker borrowed, IReadOnlyList<string> endpoints, TimeSpan connectTimeout, TimeSpan requestTimeout, TimeProvider time)
    {
        Endpoints = endpoints;
        ConnectTimeout = connectTimeout;
        RequestTimeout = requestTimeout;
        _time = time;
        _channels = [];
        _raw = _invokers = [borrowed];
    }

    /// <summary>A connection over the application's client (its channel, TLS and credentials); disposing it closes nothing.</summary>
    public static EtcdConnection Borrow(CallInvoker invoker, IReadOnlyList<string> endpoints, TimeSpan connectTimeout, TimeSpan requestTimeout, TimeProvider time)
        => new(invoker, endpoints, connectTimeout, requestTimeout, time);

    public IReadOnlyList<string> Endpoints { get; }

    public TimeSpan ConnectTimeout { get; }

    public TimeSpan RequestTimeout { get; }

    public TimeProvider Time => _time;

    /// <summary>The invoker of the member requests go to now, and its index (to pass to <see cref="MoveOn"/> when it fails).</summary>
    public (CallInvoker Invoker, int Index) Current
    {
        get
        {
            var i = Volatile.Read(ref _current);
            return (_invokers[i], i);
        }
    }

    /// <summary>Leaves member <paramref name="failed"/> for the next, unless another caller already moved on.</summary>
    public void MoveOn(int failed) => Interlocked.CompareExchange(ref _current, (failed + 1) % _invokers.Length, failed);

    /// <summary>
    /// Sends one unary request, moving through the members until one answers or <see cref="ConnectTimeout"/> has passed
    /// with every member tried, then throws <see cref="EtcdUnavailableException"/>.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<CallInvoker, CallOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var failures = 0;
        var staleTokens = 0;
        while (true)
        {
            var (invoker, index) = Current;
            var token = _auth?.Token;
            try
            {
                var options = new CallOptions(deadline: DateTime.UtcNow + RequestTimeout, cancellationToken: cancellationToken);
                if (_auth is not null && token is null)
                {
                    await _auth.AuthenticateAsync(_raw[index], options, Endpoints[index]).ConfigureAwait(false);
                    continue;
                }
                return await call(invoker, options).ConfigureAwait(false);
            }
            catch (RpcException ex) when (_auth is not null && EtcdAuth.IsStaleToken(ex) && staleTokens++ < 3)
            {
                _auth.Invalidate(token);
            }
            catch (RpcException ex) when (EtcdAuth.Refusal(ex, Endpoints[index], _auth is not null) is { } refused)
            {
                // A refused certificate or missing credentials: another member or more time would answer the same.
                throw refused;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The etcd request was cancelled.", ex, cancellationToken);
            }
            catch (RpcException ex) when (IsMemberFailure(ex))
            {
                MoveOn(index);
                failures++;
                if (failures >= _invokers.Length && _time.GetElapsedTime(started) >= ConnectTimeout)
                    throw new EtcdUnavailableException(Endpoints, ConnectTimeout, ex);
                // After a full round of failures, pause briefly: an election or a restart takes a moment.
                if (failures % _invokers.Length == 0)
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * failures / _invokers.Length, 250)), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Errors that say "this member cannot serve now" rather than "the request is wrong".</summary>
    public static bool IsMemberFailure(RpcException ex)
        => ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown
            || (ex.StatusCode == StatusCode.Cancelled && ex.InnerException is not OperationCanceledException);

    public void Dispose()
    {
        foreach (var c in _channels) c.Dispose();
    }
}
