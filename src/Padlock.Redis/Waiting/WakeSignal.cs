namespace Padlock.Redis.Waiting;

/// <summary>
/// A waiter's wake-up latch. A wake that arrives while the waiter is busy talking to Redis is kept, not lost, and
/// ends the next wait at once. A wake may carry a grant (the first fencing token of a hold a release handed to this
/// waiter, and whether others still wait behind it); a grant is kept until taken.
/// </summary>
internal sealed class WakeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _waiting;
    private bool _pending;
    private long _grant;
    private bool _othersQueued;

    /// <summary>Wakes the current or next wait; <paramref name="grantedFence"/> &gt; 0 says the lock is now ours with that token.</summary>
    public void Set(long grantedFence = 0, bool othersQueued = false)
    {
        TaskCompletionSource? toWake;
        lock (_gate)
        {
            if (grantedFence > 0)
            {
                _grant = grantedFence;
                _othersQueued = othersQueued;
            }
            toWake = _waiting;
            _waiting = null;
            if (toWake is null) _pending = true;
        }
        toWake?.TrySetResult();
    }

    /// <summary>Waits for a wake, at most <paramref name="max"/>. Throws <see cref="OperationCanceledException"/> on cancellation.</summary>
    /// <returns>The granted first fencing token (0 for a plain wake or when <paramref name="max"/> passed) and whether others wait behind.</returns>
    public async Task<(long Fence, bool OthersQueued)> WaitAsync(TimeSpan max, TimeProvider time, CancellationToken cancellationToken)
    {
        TaskCompletionSource tcs;
        lock (_gate)
        {
            if (_pending || _grant > 0)
            {
                _pending = false;
                return (_grant, _othersQueued);
            }
            _waiting = tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            await tcs.Task.WaitAsync(max, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            lock (_gate)
            {
                if (_waiting == tcs) _waiting = null;
                _pending = false;
            }
        }
        lock (_gate) return (_grant, _othersQueued);
    }
}
