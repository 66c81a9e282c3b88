using Microsoft.Extensions.Logging;
using Padlock.Stores;
using Padlock.Telemetry;

namespace Padlock.Internal;

/// <summary>
/// The handle users hold: makes release idempotent and thread-safe, and reports loss and hold time once.
/// </summary>
internal sealed class LockHandle : ILockHandle
{
    private readonly StoreLease _lease;
    private readonly string _store;
    private readonly string _primitive;
    private readonly IDisposable? _flowHold;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _grantedAt;
    private readonly CancellationTokenRegistration _lossRegistration;
    private int _state; // 0 held, 1 released, 2 lost (reported); release after loss still runs the store's release.
    private Task? _release;

    internal LockHandle(string name, string store, string primitive, StoreLease lease, IDisposable? flowHold, ILogger logger, TimeProvider time)
    {
        Name = name;
        _store = store;
        _primitive = primitive;
        _flowHold = flowHold;
        _lease = lease;
        _logger = logger;
        _time = time;
        _grantedAt = time.GetTimestamp();
        _lossRegistration = lease.LostToken.UnsafeRegister(static s => ((LockHandle)s!).OnLost(), this);
    }

    public string Name { get; }

    public long FencingToken => _lease.FencingToken;

    public CancellationToken LostToken => _lease.LostToken;

    public bool IsLost => _lease.IsLost;

    private KeyValuePair<string, object?> StoreTag => new("padlock.store", _store);

    private KeyValuePair<string, object?> PrimitiveTag => new("padlock.primitive", _primitive);

    private double HeldMs => _time.GetElapsedTime(_grantedAt).TotalMilliseconds;

    private void OnLost()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) != 0) return;
        PadlockTelemetry.Losses.Add(1, StoreTag, PrimitiveTag);
        PadlockTelemetry.HoldDuration.Record(HeldMs / 1000, StoreTag, PrimitiveTag);
        LogMessages.Lost(_logger, Name, _store, FencingToken, HeldMs);
    }

    public ValueTask DisposeAsync()
    {
        // The first caller starts the release; later and concurrent callers await the same work.
        if (Volatile.Read(ref _release) is { } existing) return new ValueTask(existing);
        // Continuations run where the release completes, as after any awaited I/O: asking for asynchronous ones cost
        // every release a thread-pool hop before the caller resumed (measured: docs/benchmarks/redis.md, section 1).
        // Nothing holds a lock when the result is set.
        var tcs = new TaskCompletionSource();
        if (Interlocked.CompareExchange(ref _release, tcs.Task, null) is { } raced) return new ValueTask(raced);
        _ = RunRelease(tcs);
        return new ValueTask(tcs.Task);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // One state machine for the whole release: the result goes to every caller of DisposeAsync through tcs.
    private async Task RunRelease(TaskCompletionSource tcs)
    {
        try
        {
            var wasHeld = Interlocked.CompareExchange(ref _state, 1, 0) == 0;
            _flowHold?.Dispose(); // the flow may take this name again from now on
            await _lossRegistration.DisposeAsync().ConfigureAwait(false);
            try
            {
                await _lease.ReleaseAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A release that cannot reach the store is not the caller's failure to handle: the lease runs out on its
                // own and nothing else is held. Log it rather than throw from Dispose.
                LogMessages.ReleaseFailed(_logger, ex, Name, _store);
            }
            if (wasHeld)
            {
                PadlockTelemetry.HoldDuration.Record(HeldMs / 1000, StoreTag, PrimitiveTag);
                LogMessages.Released(_logger, Name, _store, HeldMs);
            }
        }
        catch (Exception ex)
        {
            tcs.SetException(ex);
            return;
        }
        tcs.SetResult();
    }
}
