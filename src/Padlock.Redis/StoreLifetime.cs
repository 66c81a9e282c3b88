namespace Padlock.Redis;

/// <summary>
/// A Redis store's calls in flight and its disposal. Once disposal begins, new calls are refused with
/// <see cref="ObjectDisposedException"/> and <see cref="Disposing"/> fires, so waiting calls stop at once. Disposal
/// then waits (bounded) for the calls still in flight before the connections close: a grant that raced with the
/// disposal is given back in Redis by its own call rather than left to expire with its lease.
/// </summary>
internal sealed class StoreLifetime
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly string _storeName;
    private int _calls;
    private bool _disposed;
    private TaskCompletionSource? _drained;

    /// <param name="storeName">The store type's name, for the exception message.</param>
    public StoreLifetime(string storeName) => _storeName = storeName;

    /// <summary>Fires when disposal begins.</summary>
    public CancellationToken Disposing => _disposing.Token;

    /// <summary>Whether disposal has begun.</summary>
    public bool IsDisposed
    {
        get
        {
            lock (_gate) return _disposed;
        }
    }

    /// <summary>The error for a call on (or interrupted by) a disposed store.</summary>
    public ObjectDisposedException Disposed() => new(_storeName, $"The {_storeName} was disposed; its locks were released and marked lost.");

    /// <summary>Starts a call; dispose the result when the call returns.</summary>
    /// <exception cref="ObjectDisposedException">Disposal has begun.</exception>
    public Call Enter()
    {
        lock (_gate)
        {
            if (_disposed) throw Disposed();
            _calls++;
        }
        return new Call(this);
    }

    /// <summary>Begins disposal: true the first time only.</summary>
    public bool BeginDispose()
    {
        lock (_gate)
        {
            if (_disposed) return false;
            _disposed = true;
            if (_calls > 0) _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        // Outside the lock: cancelling runs the waiters' continuations.
        _disposing.Cancel();
        return true;
    }

    /// <summary>Waits until every call in flight has returned, at most <paramref name="max"/>.</summary>
    public async Task DrainAsync(TimeSpan max)
    {
        Task? drained;
        lock (_gate) drained = _drained?.Task;
        if (drained is null) return;
        try
        {
            await drained.WaitAsync(max).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A call stuck on a dead server: its grant, if any, expires with its lease.
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            if (--_calls == 0) _drained?.TrySetResult();
        }
    }

    /// <summary>One call in flight.</summary>
    public readonly struct Call(StoreLifetime lifetime) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => lifetime.Exit();
    }
}
