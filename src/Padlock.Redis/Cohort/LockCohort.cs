using Padlock.Redis.Keys;
using Padlock.Redis.Waiting;
using Padlock.Stores;
using StackExchange.Redis;

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
/// States, all under <c>Gate</c>: idle (no hold, nothing in flight, nobody waiting); a Redis call in flight
/// (<c>Busy</c>: the inline attempt, the background turn, or the release); held by a local holder
/// (<c>Hold</c>). Local waiters exist only while a hold or a Redis call exists, so they are never forgotten.
/// Disposed (with the store): the hold is marked lost and given back, the Redis turn leaves the line, local waiters get
/// <see cref="ObjectDisposedException"/>, and an inline attempt that is granted afterwards gives the key straight back.
/// </remarks>
internal sealed class LockCohort(RedisTurns redis, LockKeys keys, Action<LockCohort> onIdle, StoreLifetime lifetime) : LocalLine<CohortHold>
{
    private Listening? _listening;
    // The channel _listening is on, and this lock's own inbox on a sharded Cluster (made once per cohort).
    private RedisChannel _listeningOn;
    private RedisChannel? _shardedInbox;
    // Joins of others heard while no hold was set (the hold of a grant on its way is not set yet: a join notice can
    // arrive before the continuation that sets it runs), and the token of our own Redis turn, whose notice is ours.
    private long _joinsHeard;
    private string? _turnToken;

    public LockKeys Keys => keys;

    /// <inheritdoc/>
    protected override Exception DisposedError() => lifetime.Disposed();

    // While callers queue here, hear others joining the Redis line (the holder's turn then ends by the policy).
    protected override void OnQueuedLocked() => ListenLocked();

    /// <inheritdoc/>
    protected override void OnRetiredLocked() => StopListeningLocked();

    /// <summary>The inline attempt of a caller that found the cohort idle (the uncontended path: one pipelined round trip, no hop).</summary>
    public async ValueTask<StoreLease?> AttemptAsync(LockWait lockWait)
    {
        var wait = !lockWait.IsSingleAttempt;
        var token = redis.NewToken();
        long joinsHeard;
        RedisChannel inbox = default;
        lock (Gate)
        {
            joinsHeard = _joinsHeard;
            _turnToken = token;
            if (wait) inbox = InboxLocked();
        }
        var registration = wait ? redis.Register(keys, token) : null;
        RedisGrant grant;
        // Whether a hand-off published after the attempt reaches this store is known only if we must wait; the
        // uncontended path neither subscribes nor allocates for it.
        var peeked = wait ? redis.Channels.Peek(inbox) : null;
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
            lock (Gate)
            {
                if (!Disposed)
                {
                    SetHoldLocked(hold, joinsHeard);
                    Busy = false;
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
        lock (Gate)
        {
            if (!Disposed)
            {
                // First come: those who arrived during the attempt line up behind this caller, who is already in the Redis line.
                node = Waiters.AddFirst(NewWaiter());
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
    /// A local holder releases: hand the key to the next local waiter; when the block or window has run out, first ask
    /// Redis for a new block (refused when someone waits there); otherwise give the key back to Redis.
    /// </summary>
    public async ValueTask ReleaseAsync(LocalLease lease)
    {
        var hold = lease.Hold;
        bool refill;
        lock (Gate)
        {
            if (Hold != hold) return;
            if (TryHandOffLocked(hold)) return;
            // The key stays ours (and others keep lining up here) while Redis is asked.
            refill = Waiters.Count > 0 && !hold.MustGiveBack(redis.Time);
            if (!refill) Busy = true;
        }
        if (refill)
        {
            var checkedAt = redis.Time.GetTimestamp();
            var fence = await redis.RefillAsync(keys, hold).ConfigureAwait(false);
            lock (Gate)
            {
                if (fence > 0)
                {
                    hold.Refilled(fence, checkedAt);
                    if (TryHandOffLocked(hold)) return;
                }
                Busy = true;
            }
        }
        await GiveBackAsync(hold).ConfigureAwait(false);
    }

    private bool TryHandOffLocked(CohortHold hold)
    {
        if (Waiters.Count == 0 || !hold.CanHandOff(redis.Time)) return false;
        var next = Waiters.First!.Value;
        Waiters.RemoveFirst();
        next.TrySetResult(new LocalLease(this, hold, hold.TakeFence()));
        return true;
    }

    /// <summary>A Redis-side waiter joined the line: stop handing the key around here (unless that waiter is us).</summary>
    public void NoteQueued(string token)
    {
        CohortHold? hold;
        lock (Gate)
        {
            hold = Hold;
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
        Hold = hold;
        _turnToken = null;
        if (_joinsHeard != joinsHeardBefore) hold.NoteOthersQueued();
    }

    /// <summary>The fencing token of the current local holder, when this store holds the key.</summary>
    public long? CurrentFence()
    {
        lock (Gate) return Hold?.CurrentFence;
    }

    /// <summary>Whether the key is held here and someone waits for it in Redis.</summary>
    public bool KnowsOthersWait()
    {
        lock (Gate) return Hold is { OthersQueued: true };
    }

    /// <summary>Joins of others heard while no hold was set (tests).</summary>
    public long JoinsHeard
    {
        get
        {
            lock (Gate) return _joinsHeard;
        }
    }

    /// <inheritdoc/>
    protected override async Task LoseAsync(CohortHold hold)
    {
        hold.Renewal.MarkLost();
        await GiveBackQuietlyAsync(hold).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void OnDisposedLocked() => StopListeningLocked();

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

    private async Task GiveBackAsync(CohortHold hold)
    {
        try
        {
            await redis.ReleaseAsync(keys, hold).ConfigureAwait(false);
        }
        finally
        {
            lock (Gate) Hold = null;
            RedisCallEnded();
        }
    }

    // A Redis call ended without a hold: the local line, if any, needs a new turn; otherwise the cohort may be idle.
    private void RedisCallEnded()
    {
        bool idle;
        lock (Gate)
        {
            Busy = false;
            TurnStop = null;
            if (Waiters.Count > 0) StartTurnLocked(redis.NewToken(), null, null, _joinsHeard);
            idle = Hold is null && !Busy;
        }
        if (idle) onIdle(this);
    }

    private void StartTurnLocked(string token, WakeHub.Waiter? registration, RedisGrant? joined, long joinsHeard)
    {
        Busy = true;
        _turnToken = token;
        var stop = TurnStop = new CancellationTokenSource();
        var listening = ListenLocked();
        // Off this thread: the caller holds the lock.
        Turn = Task.Run(() => TurnAsync(token, registration, joined, listening, joinsHeard, stop.Token));
    }

    // The store's inbox for this lock (the lock's wake-ups are addressed to it), listened to from the first wait
    // until the cohort retires or is disposed. Before the first connection the routes are unknown and this is the
    // store's classic inbox; on a sharded Cluster the next call after connecting moves to the lock's own inbox.
    private Listening ListenLocked()
    {
        var inbox = InboxLocked();
        if (_listening is { } listening && _listeningOn == inbox) return listening;
        _listening?.Dispose();
        _listeningOn = inbox;
        return _listening = redis.Listen(inbox);
    }

    private RedisChannel InboxLocked()
        => redis.Routes is { Sharded: true } ? _shardedInbox ??= redis.InboxOf(keys) : redis.Inbox;

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
            if (redis.Routes is null)
            {
                // Started before the first connection was made (it failed): the inbox listened to may be the wrong
                // one. Connect, then listen where the hand-off will be published.
                await redis.Connection.GetAsync().ConfigureAwait(false);
                lock (Gate)
                {
                    // (Disposed meanwhile: nothing may listen any more; the wait below ends at once.)
                    if (!Disposed) listening = ListenLocked();
                }
            }
            grant = await redis.WaitForGrantAsync(keys, token, registration.Signal, joined, listening, stop).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Redis failed (down, disposed): every local waiter gets the error, as a waiter of its own would have.
            TaskCompletionSource<StoreLease>[] failed;
            lock (Gate)
            {
                failed = [.. Waiters];
                Waiters.Clear();
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
        lock (Gate)
        {
            SetHoldLocked(hold, joinsHeard);
            TurnStop = null;
            if (Waiters.Count > 0)
            {
                var next = Waiters.First!.Value;
                Waiters.RemoveFirst();
                Busy = false;
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
