using System.Collections.Concurrent;
using System.Threading.Channels;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Connection;

namespace Padlock.Etcd.Watching;

/// <summary>
/// Every key watch of one store on one gRPC watch stream, so a wait costs a message, not a stream. The stream is
/// opened on first use; when its member fails it is reopened on the next one and every watch still open is created
/// again from its start revision, so no delete in between is missed (etcd replays history to a watch that starts in
/// the past). A stream that goes silent while watches are open is probed (a progress request) and, unanswered within
/// the request timeout, left for the next member the same way: a frozen or cut-off member fails no request, it just
/// stops answering.
/// </summary>
internal sealed class WatchHub : IAsyncDisposable
{
    private readonly EtcdConnection _connection;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, KeyWatch> _watches = new();
    private readonly Channel<(long Id, Op Op)> _outbox = Channel.CreateUnbounded<(long, Op)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly object _startLock = new();
    private Task? _loop;
    private long _nextId;
    private int _generation;

    public WatchHub(EtcdConnection connection, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
    }

    /// <summary>
    /// Starts watching <paramref name="key"/> (with <paramref name="rangeEnd"/>: every key from it up to that end,
    /// exclusive) for a deletion from <paramref name="startRevision"/> (0: from now).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store is closing.</exception>
    public KeyWatch Watch(ByteString key, long startRevision, ByteString? rangeEnd = null)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var watch = new KeyWatch(Interlocked.Increment(ref _nextId), key, startRevision, rangeEnd);
        _watches[watch.Id] = watch;
        EnsureStarted();
        _outbox.Writer.TryWrite((watch.Id, Op.Create));
        return watch;
    }

    /// <summary>How many watches etcd has confirmed and that have not fired yet (a state probe for tests).</summary>
    internal int Watching => _watches.Values.Count(w => w.Created.IsCompletedSuccessfully && !w.Fired.IsCompleted);

    /// <summary>Stops a watch (no-op when it already fired or was cancelled).</summary>
    public void Cancel(KeyWatch watch)
    {
        // Sent even when the create may not have gone out yet: etcd ignores a cancel for a watch it does not have.
        if (_watches.TryRemove(watch.Id, out _)) _outbox.Writer.TryWrite((watch.Id, Op.Cancel));
    }

    private void EnsureStarted()
    {
        if (_loop is not null) return;
        lock (_startLock) _loop ??= Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            var (invoker, index) = _connection.Current;
            try
            {
                using var streamCts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                using var call = new Watch.WatchClient(invoker).Watch(cancellationToken: streamCts.Token);
                var generation = ++_generation;
                foreach (var w in _watches.Values) await SendCreateAsync(call, w, generation).ConfigureAwait(false);
                var heard = new Heard(_connection.Time);
                var writer = WriteAsync(call, generation, streamCts.Token);
                var reader = ReadAsync(call, () =>
                {
                    failures = 0;
                    heard.Now();
                }, streamCts.Token);
                var prober = ProbeAsync(heard, streamCts.Token);
                var first = await Task.WhenAny(writer, reader, prober).ConfigureAwait(false);
                // Any of them ending ends the stream: stop the others, wait for all (the outbox has one reader at a time).
                await streamCts.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(new[] { writer, reader, prober }.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default))).ConfigureAwait(false);
                await first.ConfigureAwait(false); // surfaces why the stream ended
            }
            catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or RpcException)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "The etcd watch stream on {Endpoint} failed; reopening on the next member", _connection.Endpoints[index]);
            }
            _connection.MoveOn(index);
            failures++;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(20 * failures, 500)), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, int generation, CancellationToken ct)
    {
        try
        {
            await foreach (var (id, op) in _outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (op == Op.Cancel)
                {
                    await call.RequestStream.WriteAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } }, ct).ConfigureAwait(false);
                }
                else if (op == Op.Progress)
                {
                    await call.RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, ct).ConfigureAwait(false);
                }
                else if (_watches.TryGetValue(id, out var w))
                {
                    await SendCreateAsync(call, w, generation).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The stream ended (the reader saw why) or the hub is stopping.
        }
    }

    private static async Task SendCreateAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, KeyWatch w, int generation)
    {
        if (w.Generation == generation) return;
        w.Generation = generation;
        var create = new WatchCreateRequest { Key = w.Key, StartRevision = w.StartRevision, WatchId = w.Id };
        if (w.RangeEnd is { } end) create.RangeEnd = end;
        create.Filters.Add(WatchCreateRequest.Types.FilterType.Noput);
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }).ConfigureAwait(false);
    }

    /// <summary>
    /// Fails the stream when its member stops answering while watches depend on it: after a quiet spell (at most 1 s,
    /// at most the request timeout) a progress request goes out, which etcd answers at once; no answer within the
    /// request timeout ends the stream, and <see cref="RunAsync"/> reopens it on the next member.
    /// </summary>
    private async Task ProbeAsync(Heard heard, CancellationToken ct)
    {
        var time = _connection.Time;
        var timeout = _connection.RequestTimeout;
        var quiet = timeout < TimeSpan.FromSeconds(1) ? timeout : TimeSpan.FromSeconds(1);
        long? probed = null;
        try
        {
            while (true)
            {
                await Task.Delay(quiet / 4, time, ct).ConfigureAwait(false);
                if (_watches.IsEmpty)
                {
                    // Nothing waits on this stream, so nothing to check: an idle store sends nothing.
                    heard.Now();
                    probed = null;
                }
                else if (probed is { } sent && heard.Last <= sent)
                {
                    if (time.GetElapsedTime(sent) >= timeout)
                        throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"The watch stream's member did not answer a progress request within {Durations.Format(timeout)}."));
                }
                else if (time.GetElapsedTime(heard.Last) >= quiet)
                {
                    probed = time.GetTimestamp();
                    _outbox.Writer.TryWrite((0, Op.Progress));
                }
                else
                {
                    probed = null;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The stream ended for another reason, or the hub is stopping.
        }
    }

    private async Task ReadAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, Action healthy, CancellationToken ct)
    {
        while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
        {
            healthy();
            var r = call.ResponseStream.Current;
            if (!_watches.TryGetValue(r.WatchId, out var w)) continue;
            if (r.Created && !r.Canceled) w.OnCreated(r.Header.Revision);
            if (r.Events.Any(e => e.Type == Mvccpb.Event.Types.EventType.Delete))
            {
                Finish(w, WatchOutcome.Deleted);
            }
            else if (r.Canceled)
            {
                _logger.LogDebug("etcd cancelled a watch on {Key}: {Reason} (compacted at {Compact})", w.Key.ToStringUtf8(), r.CancelReason, r.CompactRevision);
                _watches.TryRemove(w.Id, out _);
                w.Fire(WatchOutcome.Unknown);
            }
        }
        throw new RpcException(new Status(StatusCode.Unavailable, "The watch stream closed."));
    }

    private void Finish(KeyWatch w, WatchOutcome outcome)
    {
        Cancel(w);
        w.Fire(outcome);
    }

    private enum Op
    {
        Create,
        Cancel,
        Progress,
    }

    /// <summary>When the stream last delivered anything (a timestamp of the connection's time provider).</summary>
    private sealed class Heard(TimeProvider time)
    {
        private long _last = time.GetTimestamp();

        public long Last => Volatile.Read(ref _last);

        public void Now() => Volatile.Write(ref _last, time.GetTimestamp());
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _outbox.Writer.TryComplete();
        if (_loop is not null)
        {
            try { await _loop.ConfigureAwait(false); } catch (Exception ex) when (ex is OperationCanceledException or RpcException) { }
        }
        foreach (var w in _watches.Values) w.Fire(WatchOutcome.Unknown);
        _watches.Clear();
    }
}
