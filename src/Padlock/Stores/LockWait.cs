namespace Padlock.Stores;

/// <summary>
/// How long one acquire may wait, built by the core for each call and handed to <see cref="ILockStore.TryAcquireAsync"/>:
/// the caller's cancellation, the deadline, and whether this is a single attempt. The store waits on
/// <see cref="Token"/> and, when it fires, only cleans up (leaves its queue, deletes its entries) and lets the
/// <see cref="OperationCanceledException"/> go: the core reports a passed deadline as "not acquired" and a
/// cancellation as such.
/// </summary>
/// <remarks>
/// A positive timeout bounds the waiting, never the first attempt: connecting and the first request are bounded by
/// the store's connect and request timeouts and by <see cref="CancellationToken"/> alone. Use one instance from the
/// acquiring call only; it is disposed when the call returns.
/// </remarks>
public sealed class LockWait : IDisposable
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private CancellationTokenSource? _deadline;
    private CancellationTokenSource? _linked;
    private CancellationToken? _token;

    /// <summary>Starts the clock.</summary>
    /// <param name="timeout">
    /// <see cref="TimeSpan.Zero"/>: one attempt, no waiting, and nothing left behind in the store when it fails.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: wait until granted or cancelled. Otherwise a positive wait.
    /// </param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <param name="timeProvider">The clock (default: the system's).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    public LockWait(TimeSpan timeout, CancellationToken cancellationToken = default, TimeProvider? timeProvider = null)
    {
        if (timeout < TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero, positive, or Timeout.InfiniteTimeSpan.");
        _time = timeProvider ?? TimeProvider.System;
        _started = _time.GetTimestamp();
        Timeout = timeout;
        CancellationToken = cancellationToken;
    }

    /// <summary>The timeout as given: zero, positive, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The caller's cancellation: bounds connecting and the first attempt (the deadline does not).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>True for a zero timeout: one attempt, no waiting, nothing left behind.</summary>
    public bool IsSingleAttempt => Timeout == TimeSpan.Zero;

    /// <summary>True when the wait has no deadline.</summary>
    public bool IsInfinite => Timeout == System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Fires when the caller cancels or the deadline passes: what a store waits on. Made on first use, so an
    /// acquire that never waits costs no timer.
    /// </summary>
    public CancellationToken Token => _token ??= MakeToken();

    /// <summary>True once the deadline has passed and the caller has not cancelled (always true for a single attempt).</summary>
    public bool TimedOut => !IsInfinite && !CancellationToken.IsCancellationRequested
        && (_deadline is { IsCancellationRequested: true } || _time.GetElapsedTime(_started) >= Timeout);

    /// <summary>The time left, <see cref="TimeSpan.Zero"/> once passed, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite) return Timeout;
            var left = Timeout - _time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Time since the wait began.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Throws <see cref="OperationCanceledException"/> when the caller cancelled.</summary>
    public void ThrowIfCallerCancelled() => CancellationToken.ThrowIfCancellationRequested();

    /// <inheritdoc/>
    public void Dispose()
    {
        _linked?.Dispose();
        _deadline?.Dispose();
    }

    private CancellationToken MakeToken()
    {
        if (IsInfinite) return CancellationToken;
        _deadline = new CancellationTokenSource(Remaining, _time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, _deadline.Token);
        return _linked.Token;
    }
}
