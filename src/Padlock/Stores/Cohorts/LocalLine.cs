namespace Padlock.Stores;

/// <summary>
/// The in-process half of lock cohorting (Dice, Marathe and Shavit, PPoPP 2012), shared by the stores that do it
/// (<c>redis://</c>, <c>postgres://</c>): everyone in one store who wants one lock. At most one of them talks to the
/// server at a time: a caller that finds the line idle acquires itself (<see cref="Entry.Attempt"/>); while the lock
/// is held here or a call to the server is in flight, later callers wait in memory, first come first served, until a
/// release or a turn at the server hands them the lock. The store's side (how the lock is held, handed on, given back
/// and waited for at the server) is the subclass's; this class keeps the line, its entries and its departures.
/// </summary>
/// <remarks>
/// Everything here is under <see cref="Gate"/>. Local waiters exist only while a hold or a server call exists
/// (<see cref="Hold"/>, <see cref="Busy"/>), so the subclass, which ends every hold and call, never forgets
/// them. A caller whose wait ends (deadline, cancellation) leaves the line; the last to leave stops the turn waiting at
/// the server for the line (<see cref="TurnStop"/>) and returns once it has stopped, so nothing of its wait is left behind.
/// </remarks>
/// <typeparam name="THold">The store's hold of the lock, shared by the local holders in turn.</typeparam>
internal abstract class LocalLine<THold>
    where THold : class
{
    /// <summary>Guards the line and the subclass's state.</summary>
    protected readonly Lock Gate = new();

    /// <summary>Callers waiting for a hand-off, first come first served.</summary>
    protected readonly LinkedList<TaskCompletionSource<StoreLease>> Waiters = new();

    /// <summary>The store's hold of the lock while a local holder has it (or is being handed it); null otherwise.</summary>
    protected THold? Hold;

    /// <summary>A call to the server is in flight (an inline attempt, a turn, giving the lock back).</summary>
    protected bool Busy;

    /// <summary>Stops the turn waiting at the server for the local line; null when none waits.</summary>
    protected CancellationTokenSource? TurnStop;

    /// <summary>The turn waiting at the server for the local line.</summary>
    protected Task Turn = Task.CompletedTask;

    /// <summary>The store is being disposed.</summary>
    protected bool Disposed;

    private bool _retired;

    /// <summary>How a caller enters.</summary>
    public enum Entry
    {
        /// <summary>The line was idle: the caller acquires itself.</summary>
        Attempt,

        /// <summary>The caller waits in the line.</summary>
        Queued,

        /// <summary>Held or being waited for, and the caller does not wait.</summary>
        Refused,

        /// <summary>This line was retired while the caller looked it up; look again.</summary>
        Retired,
    }

    /// <summary>What a caller gets once the store is disposed.</summary>
    protected abstract Exception DisposedError();

    /// <summary>A caller joined the line (under <see cref="Gate"/>).</summary>
    protected virtual void OnQueuedLocked()
    {
    }

    /// <summary>The line was retired (under <see cref="Gate"/>).</summary>
    protected virtual void OnRetiredLocked()
    {
    }

    /// <summary>Enters the line; for <see cref="Entry.Queued"/>, <paramref name="node"/> is the caller's place in it.</summary>
    public Entry Enter(bool wait, out LinkedListNode<TaskCompletionSource<StoreLease>>? node)
    {
        node = null;
        lock (Gate)
        {
            if (Disposed) throw DisposedError();
            if (_retired) return Entry.Retired;
            if (Hold is null && !Busy)
            {
                Busy = true;
                return Entry.Attempt;
            }
            if (!wait) return Entry.Refused;
            node = Waiters.AddLast(NewWaiter());
            OnQueuedLocked();
            return Entry.Queued;
        }
    }

    /// <summary>
    /// Waits in the line until a hand-off; when the wait ends (deadline or cancellation) leaves it, passing on a grant
    /// that raced, and lets the cancellation go (the core reports a passed deadline as "not acquired").
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
            lock (Gate)
            {
                removed = node.List is not null;
                if (removed)
                {
                    Waiters.Remove(node);
                    // Nobody left to wait for: the turn leaves the server's line.
                    if (Waiters.Count == 0 && TurnStop is not null)
                    {
                        stop = TurnStop;
                        turn = Turn;
                    }
                }
            }
            if (stop is not null)
            {
                // Outside the lock: the turn's continuation may run inline.
                await stop.CancelAsync().ConfigureAwait(false);
                await turn.ConfigureAwait(false);
            }
            if (!removed && waiter.Task.IsCompletedSuccessfully) await waiter.Task.Result.ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How many callers wait in the line.</summary>
    public int LocalWaiterCount
    {
        get
        {
            lock (Gate) return Waiters.Count;
        }
    }

    /// <summary>Retires the line if idle (called under the store's registry lock); true when it was retired.</summary>
    public bool TryRetire()
    {
        lock (Gate)
        {
            if (Hold is not null || Busy || Waiters.Count > 0) return false;
            _retired = true;
            OnRetiredLocked();
            return true;
        }
    }

    /// <summary>Hands the lock to the first waiter with <paramref name="lease"/>. Under <see cref="Gate"/>, with a waiter in line.</summary>
    protected void HandToFirstLocked(StoreLease lease)
    {
        var next = Waiters.First!.Value;
        Waiters.RemoveFirst();
        next.TrySetResult(lease);
    }

    /// <summary>Empties the line (under <see cref="Gate"/>): the waiters, to be failed outside the lock.</summary>
    protected TaskCompletionSource<StoreLease>[] TakeWaitersLocked()
    {
        TaskCompletionSource<StoreLease>[] all = [.. Waiters];
        Waiters.Clear();
        return all;
    }

    /// <summary>
    /// The store is being disposed: local waiters get <see cref="DisposedError"/>, the hold is taken away (a holder's own
    /// release then finds it gone and does nothing) and lost (<see cref="LoseAsync"/>), and the turn leaves the server's line.
    /// </summary>
    public async Task DisposeAsync()
    {
        TaskCompletionSource<StoreLease>[] waiters;
        CancellationTokenSource? stop;
        Task turn;
        THold? hold;
        lock (Gate)
        {
            Disposed = true;
            waiters = TakeWaitersLocked();
            (stop, turn, hold) = (TurnStop, Turn, Hold);
            Hold = null;
            OnDisposedLocked();
        }
        foreach (var w in waiters) w.TrySetException(DisposedError());
        if (hold is not null) await LoseAsync(hold).ConfigureAwait(false);
        if (stop is null) return;
        // With nobody left in the line, a turn granted now gives the lock straight back.
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

    /// <summary>The store is disposed while <paramref name="hold"/> is held: mark it lost (every local holder's lost token fires) and give it back at once.</summary>
    protected abstract Task LoseAsync(THold hold);

    /// <summary>The line is being disposed (under <see cref="Gate"/>).</summary>
    protected virtual void OnDisposedLocked()
    {
    }

    /// <summary>A place in the line: its continuations run asynchronously, never inside the releasing holder's call.</summary>
    protected static TaskCompletionSource<StoreLease> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
