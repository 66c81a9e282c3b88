using Microsoft.Extensions.Logging;
using Padlock.Redis.Cohort;
using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis.Lines;

/// <summary>
/// Reader-writer holds and leaderships of one <see cref="RedisLockStore"/>: each holder is its own Redis holder (its
/// own owner token in the name's readers or writer set, scored by the end of its lease in server time, renewed like a
/// lock's lease), so a crashed holder's hold ends with its lease. Waiting reuses the lock's machinery
/// (<see cref="RedisTurns"/>): a line in Redis, a release script that hands the hold to the next compatible waiters,
/// one published message per hand-off, and the fallback check. No cohorting: every acquire talks to Redis.
/// </summary>
internal sealed class RedisLines(RedisTurns redis, StoreLifetime lifetime)
{
    private readonly HeldLeases _held = new();

    /// <summary>
    /// Holds <paramref name="keys"/>' line in <paramref name="mode"/> ('r' or 'w'), carrying <paramref name="value"/>
    /// for an election (null for a reader-writer lock), with the rules of <see cref="ILockStore.TryAcquireAsync"/>.
    /// </summary>
    public async ValueTask<RedisLease?> TryAcquireAsync(LineKeys keys, char mode, string? value, LockWait wait)
    {
        wait.ThrowIfCallerCancelled();
        using var call = lifetime.Enter();
        var token = redis.NewToken();
        var waits = !wait.IsSingleAttempt;
        // Registered before the first attempt, so a hand-off between that attempt and the wait still reaches us.
        using var registration = waits ? redis.Register(keys.HubTag, token) : null;
        // Listened to only if we must wait; a wait attempts again once subscribed unless the channel was subscribed
        // without a break since before the first attempt.
        // (Before the first connection the routes, so the channel, are not known: nothing can be subscribed yet.)
        var peeked = waits && redis.Routes is { } routes ? redis.Channels.Peek(keys.WakeChannel(routes)) : null;
        var grant = await AttemptAsync(keys, token, mode, value, waits).ConfigureAwait(false);
        if (grant.Fence == 0 && registration is not null)
        {
            using var listening = redis.Listen(keys.WakeChannel(redis.ConnectedRoutes));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, lifetime.Disposing);
            var waited = await redis.WaitForGrantAsync(() => AttemptAsync(keys, token, mode, value, join: true), () => LeaveAsync(keys, token, value),
                registration.Signal, listening.ContinuesFrom(peeked) ? grant : null, listening, stop.Token).ConfigureAwait(false);
            if (waited is not { } g)
            {
                // The line is left: report why the wait ended.
                if (lifetime.IsDisposed) throw lifetime.Disposed();
                throw new OperationCanceledException(wait.Token);
            }
            grant = g;
        }
        if (grant.Fence <= 0) return null;
        var lease = new RedisLease(grant.Fence, redis.Options, grant.SentAt, _ => RenewAsync(keys, token), () => ReleaseAsync(keys, token, value),
            redis.Time, redis.Logger) { OwnerToken = token };
        return await _held.AdmitAsync(lease, lifetime.Disposed).ConfigureAwait(false);
    }

    /// <summary>The store is being disposed: every hold is marked lost and given back at once.</summary>
    public ValueTask<bool> CloseAsync() => _held.CloseAsync();

    private async Task<RedisGrant> AttemptAsync(LineKeys keys, string token, char mode, string? value, bool join)
    {
        var db = (await redis.Connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        // The lease is counted from the send, also for a grant that arrives later by message (it was made after this).
        var sent = redis.Time.GetTimestamp();
        var fence = await LineAcquireScript.RunAsync(db, keys, token, mode, redis.Options.Lease, join, redis.Options.WaiterTimeToLive, keys.WakeChannel(redis.ConnectedRoutes), value)
            .ConfigureAwait(false);
        return new RedisGrant(fence, false, sent);
    }

    private async ValueTask<bool> RenewAsync(LineKeys keys, string token)
    {
        var db = (await redis.Connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        return await LineRenewScript.RunAsync(db, keys, token, redis.Options.Lease, keys.WakeChannel(redis.ConnectedRoutes)).ConfigureAwait(false);
    }

    private async ValueTask ReleaseAsync(LineKeys keys, string token, string? value)
    {
        try
        {
            await ReleaseTokenAsync(keys, token, value).ConfigureAwait(false);
        }
        catch (Exception ex) when (lifetime.IsDisposed && ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Giving back at disposal: Redis unreachable, the hold expires with its lease.
            redis.Logger.LogDebug(ex, "Giving back a Redis reader-writer hold or leadership at disposal failed; it expires with its lease");
        }
    }

    // Release or leave (one script); waiters of this store that were granted are told now rather than by the message.
    private async Task ReleaseTokenAsync(LineKeys keys, string token, string? value)
    {
        var db = (await redis.Connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        var (_, granted) = await LineReleaseScript.RunAsync(db, keys, token, redis.Options.Lease, keys.WakeChannel(redis.ConnectedRoutes), election: value is not null).ConfigureAwait(false);
        foreach (var (next, fence) in granted) redis.Deliver(keys.HubTag, next, fence);
    }

    private async Task LeaveAsync(LineKeys keys, string token, string? value)
    {
        try
        {
            await ReleaseTokenAsync(keys, token, value).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            redis.Logger.LogWarning(ex, "Leaving the wait queue of a Redis reader-writer lock or election failed; the entry expires on its own");
        }
    }
}

