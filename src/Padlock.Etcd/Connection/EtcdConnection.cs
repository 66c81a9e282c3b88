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
    private readonly bool _plainText;
    private int _current;

    /// <param name="endpoints">"host:port" of each member.</param>
    /// <param name="connectTimeout">How long to keep trying the members.</param>
    /// <param name="requestTimeout">The deadline of one request.</param>
    /// <param name="time">The clock.</param>
    /// <param name="tls">The TLS settings (https), or null for plain http.</param>
    /// <param name="auth">The user's authentication, or null when the cluster has none.</param>
    public EtcdConnection(IReadOnlyList<string> endpoints, TimeSpan connectTimeout, TimeSpan requestTimeout, TimeProvider time, Padlock.Stores.TlsFiles? tls = null, EtcdAuth? auth = null)
    {
        Endpoints = endpoints;
        ConnectTimeout = connectTimeout;
        RequestTimeout = requestTimeout;
        _time = time;
        _auth = auth;
        _plainText = tls is null;
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
    /// How long a request may go unanswered before the same request is also sent to the next member: a follower whose
    /// leader just died holds a write until its own timeout (seconds) although a new leader is elected within about a
    /// second, and a lock released through it would stay taken all that time.
    /// </summary>
    public TimeSpan HedgeAfter => TimeSpan.FromTicks(Math.Min(RequestTimeout.Ticks / 2, TimeSpan.FromSeconds(1).Ticks));

    /// <summary>
    /// Sends one unary request, moving through the members until one answers or <see cref="ConnectTimeout"/> has passed
    /// with every member tried, then throws <see cref="EtcdUnavailableException"/>. A request unanswered after
    /// <see cref="HedgeAfter"/> is sent to the next member as well (every request here is safe to repeat), and the
    /// first answer wins; the others are cancelled.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<CallInvoker, CallOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var failures = 0;
        var inFlight = new List<Attempt<T>>();
        var first = 0;
        var staleTokens = 0;
        string? token = null;
        try
        {
            while (true)
            {
                RpcException? failed;
                int failedAt;
                if (inFlight.Count == 0)
                {
                    first = Current.Index;
                    token = _auth?.Token;
                    if (_auth is null || token is not null)
                    {
                        inFlight.Add(Send(call, first, cancellationToken));
                        continue;
                    }
                    // Logging in is a request of its own, to the member we are about to ask, and fails like any other.
                    try
                    {
                        var options = new CallOptions(deadline: DateTime.UtcNow + RequestTimeout, cancellationToken: cancellationToken);
                        await _auth.AuthenticateAsync(_raw[first], options, Endpoints[first]).ConfigureAwait(false);
                        continue;
                    }
                    catch (RpcException ex)
                    {
                        (failed, failedAt) = (ex, first);
                    }
                }
                else
                {
                    Task any = inFlight.Count == 1 ? inFlight[0].Task : Task.WhenAny(inFlight.Select(a => (Task)a.Task));
                    try
                    {
                        // WaitAsync disposes its timer as soon as the request answers: the common case costs no live timer.
                        if (inFlight.Count < _invokers.Length) await any.WaitAsync(HedgeAfter, _time, cancellationToken).ConfigureAwait(false);
                        else await any.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // Unanswered for a while: ask a member no attempt of this request is waiting on as well.
                        var next = Enumerable.Range(1, _invokers.Length).Select(k => (inFlight[^1].Index + k) % _invokers.Length)
                            .First(i => inFlight.All(a => a.Index != i));
                        inFlight.Add(Send(call, next, cancellationToken));
                        continue;
                    }
                    catch (Exception) when (inFlight.Any(a => a.Task.IsCompleted))
                    {
                        // An attempt failed: handled below, with the attempt.
                    }
                    var attempt = inFlight.First(a => a.Task.IsCompleted);
                    inFlight.Remove(attempt);
                    try
                    {
                        var result = await attempt.Task.ConfigureAwait(false);
                        // A hedge answered where the first member did not: later requests start there.
                        if (attempt.Index != first) Interlocked.CompareExchange(ref _current, attempt.Index, first);
                        return result;
                    }
                    catch (RpcException ex)
                    {
                        (failed, failedAt) = (ex, attempt.Index);
                    }
                    finally
                    {
                        attempt.Dispose();
                    }
                }

                if (_auth is not null && EtcdAuth.IsStaleToken(failed) && staleTokens++ < 3)
                {
                    _auth.Invalidate(token);
                    continue;
                }
                // A refused certificate or missing credentials: another member or more time would answer the same.
                if (EtcdAuth.Refusal(failed, Endpoints[failedAt], _auth is not null) is { } refused) throw refused;
                if (failed.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
                    throw new OperationCanceledException("The etcd request was cancelled.", failed, cancellationToken);
                if (!IsMemberFailure(failed)) throw failed;
                MoveOn(failedAt);
                failures++;
                // Another attempt still running may yet answer.
                if (inFlight.Count > 0) continue;
                if (failures >= _invokers.Length && _time.GetElapsedTime(started) >= ConnectTimeout)
                    throw new EtcdUnavailableException(Endpoints, ConnectTimeout, failed, TlsHint(failed));
                // After a full round of failures, pause briefly: an election or a restart takes a moment.
                if (failures % _invokers.Length == 0)
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * failures / _invokers.Length, 250)), _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The losers: cancelled, and their outcome observed so nothing goes unobserved.
            foreach (var a in inFlight)
            {
                a.Cancel();
                _ = a.Task.ContinueWith(static (t, s) => ((Attempt<T>)s!).Dispose(), a, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private Attempt<T> Send<T>(Func<CallInvoker, CallOptions, Task<T>> call, int index, CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var options = new CallOptions(deadline: DateTime.UtcNow + RequestTimeout, cancellationToken: cts.Token);
        Task<T> task;
        try
        {
            task = call(_invokers[index], options);
        }
        catch (Exception ex)
        {
            task = Task.FromException<T>(ex);
        }
        return new Attempt<T>(task, index, cts);
    }

    private sealed record Attempt<T>(Task<T> Task, int Index, CancellationTokenSource Cts) : IDisposable
    {
        public void Cancel()
        {
            try { Cts.Cancel(); } catch (ObjectDisposedException) { }
        }

        public void Dispose() => Cts.Dispose();
    }

    /// <summary>Errors that say "this member cannot serve now" rather than "the request is wrong".</summary>
    public static bool IsMemberFailure(RpcException ex)
        => ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown
            || (ex.StatusCode == StatusCode.Cancelled && ex.InnerException is not OperationCanceledException);

    public void Dispose()
    {
        foreach (var c in _channels) c.Dispose();
    }

    /// <summary>
    /// A hint for a plain-text client whose member answered but not with HTTP/2 (a TLS port answers a plain client's
    /// preface with a TLS alert, which HttpClient reports as a failed HTTP/2 handshake); null when that is not the case.
    /// </summary>
    private string? TlsHint(RpcException failed)
    {
        if (!_plainText) return null;
        for (Exception? e = failed.Status.DebugException; e is not null; e = e.InnerException)
        {
            // The error code is set on some paths only (gRPC re-wraps the failure on others, as a fresh-clone CI run showed),
            // so the HTTP/2 handshake failure is also recognised by its text. It only chooses a hint, never an outcome.
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError }
                || (e is HttpRequestException && e.Message.Contains("HTTP/2 handshake", StringComparison.Ordinal)))
                return "The member answered, but not as plain-text gRPC: if it serves TLS (etcd's --cert-file), add tls=true " +
                       "to the URI (with cafile=... when its certificate is not signed by a CA this machine trusts).";
        }
        return null;
    }
}
