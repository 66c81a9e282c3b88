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
/// The line itself (entries, departures, the turn stopped when the last waiter leaves) is core's
/// <see cref="LocalLine{THold}"/>; here is the hold (<c>Hold</c>), its hand-offs and the turns at the server. Disposed with
/// the store: the hold is marked lost and given back, the turn's wait is cancelled, local waiters get
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
internal sealed class AdvisoryCohort(PostgresLockStore store, string name, Action<AdvisoryCohort> onIdle) : LocalLine<CohortHold>
{
    private readonly AdvisoryGrant _grant = AdvisoryGrant.Lock(name);

    public string Name => name;

    /// <inheritdoc/>
    protected override Exception DisposedError() => new ObjectDisposedException(nameof(PostgresLockStore));

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
        lock (Gate)
        {
            if (!Disposed)
            {
                Hold = new CohortHold(server, server.FencingToken, server.FencingToken, store.Time.GetTimestamp(), store.HandOff);
                Busy = false;
                return new CohortLease(this, Hold, Hold.TakeFence());
            }
        }
        // Granted as the store was disposed: nobody may have it.
        await server.ReleaseAsync().ConfigureAwait(false);
        ServerCallEnded();
        throw DisposedError();
    }

    /// <summary>A local holder releases: hand the lock to the next local waiter while the turn lasts; otherwise give it back to the server.</summary>
    public async ValueTask ReleaseAsync(CohortLease lease)
    {
        var hold = lease.Hold;
        lock (Gate)
        {
            if (Hold != hold) return;
            if (Waiters.Count > 0 && hold.CanHandOff(store.Time))
            {
                HandToFirstLocked(new CohortLease(this, hold, hold.TakeFence()));
                return;
            }
            Busy = true;
        }
        try
        {
            // Unlocked, and the connection kept for the next grant (the turn below takes it again) unless the hold was lost.
            await hold.Server.ReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (Gate) Hold = null;
            ServerCallEnded();
        }
    }

    /// <summary>The fencing token of the current local holder, when this store holds the lock.</summary>
    public long? CurrentFence()
    {
        lock (Gate) return Hold?.CurrentFence;
    }

    /// <inheritdoc/>
    protected override async Task LoseAsync(CohortHold hold)
    {
        hold.Server.MarkLost();
        await hold.Server.ReleaseAsync().ConfigureAwait(false);
    }

    // A server call ended without a hold: the local line, if any, needs a turn; otherwise the cohort may be idle.
    private void ServerCallEnded()
    {
        bool idle;
        lock (Gate)
        {
            Busy = false;
            TurnStop = null;
            if (Waiters.Count > 0 && !Disposed)
            {
                Busy = true;
                var stop = TurnStop = new CancellationTokenSource();
                // Off this thread: the caller holds the lock.
                Turn = Task.Run(() => TurnAsync(stop.Token));
            }
            idle = Hold is null && !Busy;
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
            lock (Gate) failed = TakeWaitersLocked();
            foreach (var w in failed) w.TrySetException(ex);
            ServerCallEnded();
            return;
        }
        if (granted is not { } g)
        {
            ServerCallEnded();
            return;
        }
        lock (Gate)
        {
            if (Waiters.Count > 0 && !Disposed)
            {
                Hold = new CohortHold(g.Hold, g.Hold.FencingToken, g.Last, store.Time.GetTimestamp(), store.HandOff);
                TurnStop = null;
                Busy = false;
                HandToFirstLocked(new CohortLease(this, Hold, Hold.TakeFence()));
                return;
            }
        }
        // Everyone left while the grant was on its way: give it straight back.
        store.Logger.LogTrace("Lock '{Name}' was granted to a turn nobody waits for any more; giving it back", name);
        await g.Hold.ReleaseAsync().ConfigureAwait(false);
        ServerCallEnded();
    }
}
