using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Postgres.Cohort;

/// <summary>
/// Everyone in this store who wants one lock (lock cohorting). At most one of them talks to the server at a time: the
/// first caller acquires inline as a lone caller would (one statement when the lock is free); while the lock is held
/// or being waited for, later callers line up here, first come first served. A release hands the held advisory lock
/// straight to the next local caller with the next token reserved by the turn's grant, without a round trip, until
/// the turn is over (<see cref="HandOffPolicy"/>) or its tokens run out; then the lock goes back to the server and
/// one background turn waits in the server's queue for the local line, behind the processes already waiting there,
/// and reserves a batch of tokens with its grant. So one connection serves every local caller of the name, and a
/// process waiting at the server waits at most one turn of this one.
/// </summary>
/// <remarks>
/// States, under <c>_gate</c>: idle (no hold, no server call, nobody waiting); a server call in flight
/// (<c>_busy</c>: the inline attempt, a turn, or giving the lock back); held by a local holder (<c>_hold</c>). Local
/// waiters exist only while a hold or a server call exists, so they are never forgotten. Disposed with the store: the
/// hold is marked lost and given back, the turn's wait is cancelled, local waiters get <see cref="ObjectDisposedException"/>.
/// </remarks>
internal sealed class AdvisoryCohort(PostgresLockStore store, string name, Action<AdvisoryCohort> onIdle)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource<StoreLease>> _waiters = new();
    private readonly AdvisoryGrant _grant = AdvisoryGrant.Lock(name);
    private CohortHold? _hold;
    private bool _busy;
    private CancellationTokenSource? _turnStop;
    private Task _turn = Task.CompletedTask;
    private bool _retired;
    private bool _disposed;

    /// <summary>How a caller enters.</summary>
    public enum Entry
    {
        /// <summary>The cohort was idle: the caller acquires itself.</summary>
        Attempt,

        /// <summary>The caller waits in the local line.</summary>
        Queued,

        /// <summary>Held or being waited for, and the caller does not wait.</summary>
        Refused,

        /// <summary>This cohort was retired while the caller looked it up; look again.</summary>
        Retired,
    }

    public string Name => name;

    /// <summary>Enters the cohort; for <see cref="Entry.Queued"/>, <paramref name="node"/> is the caller's place in line.</summary>
    public Entry Enter(bool wait, out LinkedListNode<TaskCompletionSource<StoreLease>>? node)
    {
        node = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(PostgresLockStore));
            if (_retired) return Entry.Retired;
            if (_hold is null && !_busy)
            {
                _busy = true;
                return Entry.Attempt;
            }
            if (!wait) return Entry.Refused;
            node = _waiters.AddLast(NewWaiter());
            return Entry.Queued;
        }
    }

    /// <summary>
    /// The inline acquire of a caller that found the cohort idle: a lone caller's path (the try, then the server's queue
    /// when it waits). Callers arriving meanwhile line up behind it; if its wait ends without the lock, a turn serves them.
    /// </summary>
    public async ValueTask<StoreLease?> AttemptAsync(LockWait wait)
    {
        PostgresHold? server;
        try
        {
            server = (PostgresHold?)await AdvisoryWait.TryAcquireAsync(store, _grant, wait).ConfigureAwait(false);
        }
        catch
        {
            ServerCallEnded();
            throw;
        }
        if (server is null)
        {
            ServerCallEnded();
            return null;
        }
        lock (_gate)
        {
            if (!_disposed)
            {
                _hold = new CohortHold(server, server.FencingToken, server.FencingToken, store.Time.GetTimestamp(), store.HandOff);
                _busy = false;
                return new CohortLease(this, _hold, _hold.TakeFence());
            }
        }
        // Granted as the store was disposed: nobody may have it.
        await server.ReleaseAsync().ConfigureAwait(false);
        ServerCallEnded();
        throw new ObjectDisposedException(nameof(PostgresLockStore));
    }

    /// <summary>
    /// Waits in the local line until a hand-off; when the wait ends (deadline or cancellation) leaves it, passing on a
    /// grant that raced, and lets the cancellation go (the core reports a passed deadline as "not acquired").
    /// </summary>
    public async ValueTask<StoreLease?> WaitQueuedAsync(LinkedListNode<TaskCompletionSource<StoreLease>> node, LockWait wait)
    {
        var waiter = node.Value;
        try
        {
            return await waiter.Task.WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (wait.Token.IsCancellationRequested && !waiter.Task.IsFaulted)
        {
            bool removed;
            CancellationTokenSource? stop = null;
            var turn = Task.CompletedTask;
            lock (_gate)
            {
                removed = node.List is not null;
                if (removed)
                {
                    _waiters.Remove(node);
                    // Nobody left to wait for: the turn leaves the server's queue.
                    if (_waiters.Count == 0 && _turnStop is not null)
                    {
                        stop = _turnStop;
                        turn = _turn;
                    }
                }
            }
            if (stop is not null)
            {
                // Outside the lock: the turn's continuation may run inline. The caller returns once the turn has left
                // the server's queue, so nothing of this wait is left behind.
                await stop.CancelAsync().ConfigureAwait(false);
                await turn.ConfigureAwait(false);
            }
            if (!removed && waiter.Task.IsCompletedSuccessfully) await waiter.Task.Result.ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A local holder releases: hand the lock to the next local waiter while the turn lasts; otherwise give it back to the server.</summary>
    public async ValueTask ReleaseAsync(CohortLease lease)
    {
        var hold = lease.Hold;
        lock (_gate)
        {
            if (_hold != hold) return;
            if (_waiters.Count > 0 && hold.CanHandOff(store.Time))
            {
                var next = _waiters.First!.Value;
                _waiters.RemoveFirst();
                next.TrySetResult(new CohortLease(this, hold, hold.TakeFence()));
                return;
            }
            _busy = true;
        }
        try
        {
            // Unlocked, and the connection kept for the next grant (the turn below takes it again) unless the hold was lost.
            await hold.Server.ReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _hold = null;
            ServerCallEnded();
        }
    }

    /// <summary>The fencing token of the current local holder, when this store holds the lock.</summary>
    public long? CurrentFence()
    {
        lock (_gate) return _hold?.CurrentFence;
    }

    /// <summary>How many callers wait in the local line.</summary>
    public int LocalWaiterCount
    {
        get
        {
            lock (_gate) return _waiters.Count;
        }
    }

    /// <summary>Retires the cohort if idle (called under the store's registry lock); true when it was retired.</summary>
    public bool TryRetire()
    {
        lock (_gate)
        {
            if (_hold is not null || _busy || _waiters.Count > 0) return false;
            _retired = true;
            return true;
        }
    }

    /// <summary>
    /// The store is being disposed: local waiters get <see cref="ObjectDisposedException"/>, the hold is marked lost
    /// (every local holder's lost token fires) and given back, and the turn leaves the server's queue.
    /// </summary>
    public async Task DisposeAsync()
    {
        TaskCompletionSource<StoreLease>[] waiters;
        CancellationTokenSource? stop;
        Task turn;
        CohortHold? hold;
        lock (_gate)
        {
            _disposed = true;
            waiters = [.. _waiters];
            _waiters.Clear();
            stop = _turnStop;
            turn = _turn;
            // A holder's own release from now on finds the hold gone and does nothing.
            hold = _hold;
            _hold = null;
        }
        foreach (var w in waiters) w.TrySetException(new ObjectDisposedException(nameof(PostgresLockStore)));
        if (hold is not null)
        {
            hold.Server.MarkLost();
            await hold.Server.ReleaseAsync().ConfigureAwait(false);
        }
        if (stop is not null)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await turn.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The turn reports its own failures to the waiters, who are gone.
            }
        }
    }

    private static TaskCompletionSource<StoreLease> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // A server call ended without a hold: the local line, if any, needs a turn; otherwise the cohort may be idle.
    private void ServerCallEnded()
    {
        bool idle;
        lock (_gate)
        {
            _busy = false;
            _turnStop = null;
            if (_waiters.Count > 0 && !_disposed)
            {
                _busy = true;
                var stop = _turnStop = new CancellationTokenSource();
                // Off this thread: the caller holds the lock.
                _turn = Task.Run(() => TurnAsync(stop.Token));
            }
            idle = _hold is null && !_busy;
        }
        if (idle) onIdle(this);
    }

    // One wait in the server's queue on behalf of the local line; ends with the lock handed to the first local waiter.
    private async Task TurnAsync(CancellationToken stop)
    {
        (PostgresHold Hold, long Last)? granted;
        try
        {
            granted = await AdvisoryWait.TurnAsync(store, _grant, stop).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The server failed (down, store disposed): every local waiter gets the error, as a waiter of its own would have.
            TaskCompletionSource<StoreLease>[] failed;
            lock (_gate)
            {
                failed = [.. _waiters];
                _waiters.Clear();
            }
            foreach (var w in failed) w.TrySetException(ex);
            ServerCallEnded();
            return;
        }
        if (granted is not { } g)
        {
            ServerCallEnded();
            return;
        }
        lock (_gate)
        {
            if (_waiters.Count > 0 && !_disposed)
            {
                _hold = new CohortHold(g.Hold, g.Hold.FencingToken, g.Last, store.Time.GetTimestamp(), store.HandOff);
                _turnStop = null;
                _busy = false;
                var next = _waiters.First!.Value;
                _waiters.RemoveFirst();
                next.TrySetResult(new CohortLease(this, _hold, _hold.TakeFence()));
                return;
            }
        }
        // Everyone left while the grant was on its way: give it straight back.
        store.Logger.LogTrace("Lock '{Name}' was granted to a turn nobody waits for any more; giving it back", name);
        await g.Hold.ReleaseAsync().ConfigureAwait(false);
        ServerCallEnded();
    }
}
