namespace Padlock.Redis.Waiting;

/// <summary>
/// A waiter's wake-up latch: a wake that arrives while the waiter is busy talking to Redis is kept, not lost, and
/// ends the next wait at once.
/// </summary>
internal sealed class WakeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _waiting;
    private bool _pending;

    /// <summary>Wakes the current or next wait.</summary>
    public void Set()
    {
        TaskCompletionSource? toWake;
        lock (_gate)
        {
            toWake = _waiting;
            _waiting = null;
            if (toWake is null) _pending = true;
        }
        toWake?.TrySetResult();
    }

    /// <summary>Waits for a wake, at most <paramref name="max"/>. Throws <see cref="OperationCanceledException"/> on cancellation.</summary>
    /// <returns>True when woken, false when <paramref name="max"/> passed.</returns>
    public async Task<bool> WaitAsync(TimeSpan max, TimeProvider time, CancellationToken cancellationToken)
    {
        TaskCompletionSource tcs;
        lock (_gate)
        {
            if (_pending)
            {
                _pending = false;
                return true;
            }
            _waiting = tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            await tcs.Task.WaitAsync(max, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                if (_waiting == tcs) _waiting = null;
            }
        }
    }
}
