namespace Padlock.Stores;

/// <summary>
/// One token for "stop waiting": it fires when the caller cancels or the timeout passes, and afterwards tells which.
/// Stores wait on <see cref="Token"/> and, when it fires, clean up and return null on timeout or rethrow on cancellation.
/// </summary>
public sealed class WaitScope : IDisposable
{
    private readonly CancellationTokenSource? _timeout;
    private readonly CancellationTokenSource? _linked;
    private readonly CancellationToken _caller;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _limit;

    /// <summary>Starts the clock. <paramref name="timeout"/> may be zero or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public WaitScope(TimeSpan timeout, CancellationToken cancellationToken, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _started = _time.GetTimestamp();
        _limit = timeout;
        _caller = cancellationToken;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            Token = cancellationToken;
            return;
        }
        _timeout = new CancellationTokenSource(timeout, _time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        Token = _linked.Token;
    }

    /// <summary>Fires on cancellation or timeout.</summary>
    public CancellationToken Token { get; }

    /// <summary>True when the wait ended because the timeout passed (and the caller did not cancel).</summary>
    public bool TimedOut => _timeout is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

    /// <summary>The time left, <see cref="TimeSpan.Zero"/> once passed, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (_limit == Timeout.InfiniteTimeSpan) return _limit;
            var left = _limit - _time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Time since the scope was created.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Throws <see cref="OperationCanceledException"/> when the caller cancelled.</summary>
    public void ThrowIfCallerCancelled() => _caller.ThrowIfCancellationRequested();

    /// <inheritdoc/>
    public void Dispose()
    {
        _linked?.Dispose();
        _timeout?.Dispose();
    }
}
