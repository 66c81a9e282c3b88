using Padlock.Redis.Keys;
using Padlock.Redis.Waiting;
using Padlock.Stores;

namespace Padlock.Redis.Cohort;

/// <summary>
/// Everyone in this store who wants one lock (lock cohorting). At most one of them talks to Redis at a time: the
/// first caller tries inline; while the key is held or being waited for, later callers line up here, first come
/// first served, and one background turn waits in the Redis line for all of them. Once the key is ours, a release
/// hands it straight to the next local waiter with the next token of the reserved block, without a round trip.
/// When the block runs out or the hand-off window closes, one script asks Redis for a new block, which it refuses if
/// anyone waits there; a lost hold, a refusal, or hearing that someone joined the Redis line sends the key back to
/// Redis, and the local line queues there again, behind those already waiting.
/// </summary>
/// <remarks>
/// States, all under <c>_gate</c>: idle (no hold, nothing in flight, nobody waiting); a Redis call in flight
/// (<c>_redisBusy</c>: the inline attempt, the background turn, or the release); held by a local holder
/// (<c>_hold</c>). Local waiters exist only while a hold or a Redis call exists, so they are never forgotten.
/// Disposed (with the store): the hold is marked lost and given back, the Redis turn leaves the line, local waiters get
/// <see cref="ObjectDisposedException"/>, and an inline attempt that is granted afterwards gives the key straight back.
/// </remarks>
internal sealed class LockCohort(RedisTurns redis, LockKeys keys, Action<LockCohort> onIdle, StoreLifetime lifetime)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource<StoreLease>> _waiters = new();
    private CohortHold? _hold;
    private Listening? _listening;
    private bool _redisBusy;
    // Joins of others heard while no hold was set (the hold of a grant on its way is not set yet: a join notice can
    // arrive before the continuation that sets it runs), and the token of our own Redis turn, whose notice is ours.
    private long _joinsHeard;
    private string? _turnToken;
    private CancellationTokenSource? _turnStop;
    private Task _turn = Task.CompletedTask;
    private bool _retired;
    private bool _disposed;

    /// <summary>How a caller enters.</summary>
    public enum Entry
    {
        /// <summary>The cohort was idle: the caller tries Redis itself.</summary>
        Attempt,

        /// <summary>The caller waits in the local line.</summary>
        Queued,

        /// <summary>Held or contended, and the caller does not wait.</summary>
        Refused,

        /// <summary>This cohort was retired while the caller looked it up; look again.</summary>
        Retired,
    }

    public LockKeys Keys => keys;

    /// <summary>Enters the cohort; for <see cref="Entry.Queued"/>, <paramref name="node"/> is the caller's place in line.</summary>
    public Entry Enter(bool wait, out LinkedListNode<TaskCompletionSource<StoreLease>>? node)
    {
        node = null;
        lock (_gate)
        {
            if (_disposed) throw lifetime.Disposed();
            if (_retired) return Entry.Retired;
            if (_hold is null && !_redisBusy)
            {
                _redisBusy = true;
                return Entry.Attempt;
            }
            if (!wait) return Entry.Refused;
            node = _waiters.AddLast(NewWaiter());
            // While callers queue here, hear others joining the Redis line (the holder's turn then ends by the policy).
            ListenLocked();
            return Entry.Queued;
        }
    }

    /// <summary>The inline attempt of a caller that found the cohort idle (the uncontended path: one pipelined round trip, no hop).</summary>
    public async ValueTask<StoreLease?> AttemptAsync(LockWait lockWait)
    {
        var wait = !lockWait.IsSingleAttempt;
        var token = redis.NewToken();
        long joinsHeard;
        lock (_gate)
        {
            joinsHeard = _joinsHeard;
            _turnToken = token;
        }
        var registration = wait ? redis.Register(keys, token) : null;
        RedisGrant grant;
        // Whether a hand-off published after the attempt reaches this store is known only if we must wait; the
        // uncontended path neither subscribes nor allocates for it.
        var peeked = wait ? redis.Channels.Peek(redis.Inbox) : null;
        try
        {
            grant = await redis.FirstAttemptAsync(keys, token, join: wait).ConfigureAwait(false);
        }
        catch
        {
            registration?.Dispose();
            RedisCallEnded();
            throw;
        }
        if (grant.Fence > 0)
        {
            registration?.Dispose();
            var hold = redis.NewHold(keys, token, grant);
            lock (_gate)
            {
                if (!_disposed)
                {
                    SetHoldLocked(hold, joinsHeard);
                    _redisBusy = false;
                    return new LocalLease(this, hold, hold.TakeFence());
                }
            }
            // Granted after the store was disposed: nobody may have it. The store waits for this call before closing.
            await GiveBackQuietlyAsync(hold).ConfigureAwait(false);
            RedisCallEnded();
            throw lifetime.Disposed();
        }
        if (registration is null)
        {
            RedisCallEnded();
            return null;
        }
        LinkedListNode<TaskCompletionSource<StoreLease>>? node = null;
        lock (_gate)
        {
            if (!_disposed)
            {
                // First come: those who arrived during the attempt line up behind this caller, who is already in the Redis line.
                node = _waiters.AddFirst(NewWaiter());
                // Not subscribed without a break since before the attempt: the turn attempts again once it is.
                StartTurnLocked(token, registration, ListenLocked().ContinuesFrom(peeked) ? grant : null, joinsHeard);
            }
        }
        if (node is null)
        {
            // Queued in Redis after the store was disposed: leave the line (passing on a grant that raced) and fail.
            registration.Dispose();
            await redis.LeaveAsync(keys, token).ConfigureAwait(false);
            RedisCallEnded();
            throw lifetime.Disposed();
        }
        return await WaitQueuedAsync(node, lockWait).ConfigureAwait(false);
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
                    // Nobody left to wait for: the Redis turn leaves the Redis line.
                    if (_waiters.Count == 0 && _turnStop is not null)
                    {
                        stop = _turnStop;
                        turn = _turn;
                    }
                }
            }
            if (stop is not null)
            {
                // Outside the lock: the turn's continuation may run inline. The caller returns once the store has
                // left the Redis line, so nothing of this wait is left behind.
                stop.Cancel();
                await turn.ConfigureAwait(false);
            }
            if (!removed && waiter.Task.IsCompletedSuccessfully) await waiter.Task.Result.ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A local holder releases: hand the key to the next local waiter; when the block or window has run out, first ask
    /// Redis for a new block (refused when someone waits there); otherwise give the key back to Redis.
    /// </summary>
    public async ValueTask ReleaseAsync(LocalLease lease)
    {
        var hold = lease.Hold;
        bool refill;
        lock (_gate)
        {
            if (_hold != hold) return;
            if (TryHandOffLocked(hold)) return;
            // The key stays ours (and others keep lining up here) while Redis is asked.
            refill = _waiters.Count > 0 && !hold.MustGiveBack(redis.Time);
            if (!refill) _redisBusy = true;
        }
        if (refill)
        {
            var checkedAt = redis.Time.GetTimestamp();
            var fence = await redis.RefillAsync(keys, hold).ConfigureAwait(false);
            lock (_gate)
            {
                if (fence > 0)
                {
                    hold.Refilled(fence, checkedAt);
                    if (TryHandOffLocked(hold)) return;
                }
                _redisBusy = true;
            }
        }
        await GiveBackAsync(hold).ConfigureAwait(false);
    }

    private bool TryHandOffLocked(CohortHold hold)
    {
        if (_waiters.Count == 0 || !hold.CanHandOff(redis.Time)) return false;
        var next = _waiters.First!.Value;
        _waiters.RemoveFirst();
        next.TrySetResult(new LocalLease(this, hold, hold.TakeFence()));
        return true;
    }

    /// <summary>A Redis-side waiter joined the line: stop handing the key around here (unless that waiter is us).</summary>
    public void NoteQueued(string token)
    {
        CohortHold? hold;
        lock (_gate)
        {
            hold = _hold;
            if (hold is null)
            {
                if (token != _turnToken) _joinsHeard++;
                return;
            }
        }
        if (hold.Token != token) hold.NoteOthersQueued();
    }

    // A hold is set from a grant: others heard joining since the turn began wait behind it.
    private void SetHoldLocked(CohortHold hold, long joinsHeardBefore)
    {
        _hold = hold;
        _turnToken = null;
        if (_joinsHeard != joinsHeardBefore) hold.NoteOthersQueued();
    }

    /// <summary>The fencing token of the current local holder, when this store holds the key.</summary>
    public long? CurrentFence()
    {
        lock (_gate) return _hold?.CurrentFence;
    }

    /// <summary>Whether the key is held here and someone waits for it in Redis.</summary>
    public bool KnowsOthersWait()
    {
        lock (_gate) return _hold is { OthersQueued: true };
    }

    /// <summary>Joins of others heard while no hold was set (tests).</summary>
    public long JoinsHeard
    {
        get
        {
            lock (_gate) return _joinsHeard;
        }
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
            if (_hold is not null || _redisBusy || _waiters.Count > 0) return false;
            _retired = true;
            StopListeningLocked();
            return true;
        }
    }

    /// <summary>
    /// The store is being disposed: local waiters get <see cref="ObjectDisposedException"/>, the hold is marked lost
    /// (every local holder's lost token fires) and given back at once, and the Redis turn leaves the line.
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
            StopListeningLocked();
        }
        foreach (var w in waiters) w.TrySetException(lifetime.Disposed());
        if (hold is not null)
        {
            hold.Renewal.MarkLost();
            await GiveBackQuietlyAsync(hold).ConfigureAwait(false);
        }
        if (stop is not null)
        {
            // With nobody left in the local line, a turn that is granted now gives the key straight back.
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

    private async Task GiveBackQuietlyAsync(CohortHold hold)
    {
        try
        {
            await redis.ReleaseAsync(keys, hold).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
        {
            // Redis unreachable: the key expires with its lease.
        }
    }

    private static TaskCompletionSource<StoreLease> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task GiveBackAsync(CohortHold hold)
    {
        try
        {
            await redis.ReleaseAsync(keys, hold).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _hold = null;
            RedisCallEnded();
        }
    }

    // A Redis call ended without a hold: the local line, if any, needs a new turn; otherwise the cohort may be idle.
    private void RedisCallEnded()
    {
        bool idle;
        lock (_gate)
        {
            _redisBusy = false;
            _turnStop = null;
            if (_waiters.Count > 0) StartTurnLocked(redis.NewToken(), null, null, _joinsHeard);
            idle = _hold is null && !_redisBusy;
        }
        if (idle) onIdle(this);
    }

    private void StartTurnLocked(string token, WakeHub.Waiter? registration, RedisGrant? joined, long joinsHeard)
    {
        _redisBusy = true;
        _turnToken = token;
        var stop = _turnStop = new CancellationTokenSource();
        var listening = ListenLocked();
        // Off this thread: the caller holds the lock.
        _turn = Task.Run(() => TurnAsync(token, registration, joined, listening, joinsHeard, stop.Token));
    }

    // The store's inbox (the lock's wake-ups are addressed to it), listened to from the first wait until the cohort
    // retires or is disposed.
    private Listening ListenLocked() => _listening ??= redis.Listen(redis.Inbox);

    private void StopListeningLocked()
    {
        _listening?.Dispose();
        _listening = null;
    }

    // One turn in the Redis line on behalf of the local line; ends with the key handed to the first local waiter.
    private async Task TurnAsync(string token, WakeHub.Waiter? registration, RedisGrant? joined, Listening listening, long joinsHeard, CancellationToken stop)
    {
        RedisGrant? grant;
        try
        {
            registration ??= redis.Register(keys, token);
            grant = await redis.WaitForGrantAsync(keys, token, registration.Signal, joined, listening, stop).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Redis failed (down, disposed): every local waiter gets the error, as a waiter of its own would have.
            TaskCompletionSource<StoreLease>[] failed;
            lock (_gate)
            {
                failed = [.. _waiters];
                _waiters.Clear();
            }
            foreach (var w in failed) w.TrySetException(ex);
            RedisCallEnded();
            return;
        }
        finally
        {
            registration?.Dispose();
        }
        if (grant is not { } g)
        {
            RedisCallEnded();
            return;
        }
        var hold = redis.NewHold(keys, token, g);
        lock (_gate)
        {
            SetHoldLocked(hold, joinsHeard);
            _turnStop = null;
            if (_waiters.Count > 0)
            {
                var next = _waiters.First!.Value;
                _waiters.RemoveFirst();
                _redisBusy = false;
                next.TrySetResult(new LocalLease(this, hold, hold.TakeFence()));
                return;
            }
        }
        // Everyone left while the grant was on its way: give it straight back.
        try
        {
            await GiveBackAsync(hold).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
        {
            // Nobody to tell: the key expires with its lease.
        }
    }
}
