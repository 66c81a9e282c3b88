using Microsoft.Extensions.Logging;
using Padlock.Redis.Cohort;
using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis.Semaphores;

/// <summary>
/// The semaphores of one <see cref="RedisLockStore"/>. Each permit holder is its own Redis holder: its own owner token
/// in the name's holders set, scored by the end of its lease (server time), renewed like a lock's lease, so a crashed
/// holder's permit comes back when its lease ends. Waiting reuses the lock's machinery (<see cref="RedisTurns"/>): a
/// line in Redis, a release script that hands free permits to its head, one published message per hand-off, and the
/// fallback check. No cohorting: every acquire talks to Redis, since each permit is separate.
/// </summary>
internal sealed class RedisSemaphores(RedisTurns redis, StoreLifetime lifetime)
{
    private readonly HeldLeases _held = new();

    /// <summary>One permit of <paramref name="name"/>, with the rules of <see cref="ISemaphoreStore.TryAcquireSemaphoreAsync"/>.</summary>
    public async ValueTask<StoreLease?> TryAcquireAsync(string name, int maxCount, LockWait wait)
    {
        wait.ThrowIfCallerCancelled();
        using var call = lifetime.Enter();
        var keys = SemaphoreKeys.For(redis.Options.KeyPrefix, name);
        var token = redis.NewToken();
        var waits = !wait.IsSingleAttempt;
        // Registered before the first attempt, so a hand-off between that attempt and the wait still reaches us.
        using var registration = waits ? redis.Register(keys.HubTag, token) : null;
        // Listened to only if we must wait; a wait attempts again once subscribed unless the channel was subscribed
        // without a break since before the first attempt.
        // (Before the first connection the routes, so the channel, are not known: nothing can be subscribed yet.)
        var peeked = waits && redis.Routes is { } routes ? redis.Channels.Peek(keys.WakeChannel(routes)) : null;
        var grant = await AttemptAsync(keys, name, token, maxCount, waits).ConfigureAwait(false);
        if (grant.Fence == 0 && registration is not null)
        {
            using var listening = redis.Listen(keys.WakeChannel(redis.ConnectedRoutes));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, lifetime.Disposing);
            RedisGrant? waited;
            try
            {
                waited = await redis.WaitForGrantAsync(() => AttemptAsync(keys, name, token, maxCount, join: true), () => LeaveAsync(keys, token),
                    registration.Signal, listening.ContinuesFrom(peeked) ? grant : null, listening, stop.Token).ConfigureAwait(false);
            }
            catch (SemaphoreCountMismatchException)
            {
                await LeaveAsync(keys, token).ConfigureAwait(false);
                throw;
            }
            if (waited is not { } g)
            {
                // The line is left: report why the wait ended.
                if (lifetime.IsDisposed) throw lifetime.Disposed();
                throw new OperationCanceledException(wait.Token);
            }
            grant = g;
        }
        if (grant.Fence <= 0) return null;
        var lease = new RedisLease(grant.Fence, redis.Options, grant.SentAt, _ => RenewAsync(keys, token), () => ReleaseAsync(keys, token),
            redis.Time, redis.Logger);
        return await _held.AdmitAsync(lease, lifetime.Disposed).ConfigureAwait(false);
    }

    /// <summary>The store is being disposed: every permit is marked lost and given back at once.</summary>
    public ValueTask<bool> CloseAsync() => _held.CloseAsync();

    private async Task<RedisGrant> AttemptAsync(SemaphoreKeys keys, string name, string token, int maxCount, bool join)
    {
        var db = (await redis.Connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        // The lease is counted from the send, also for a grant that arrives later by message (it was made after this).
        var sent = redis.Time.GetTimestamp();
        var (fence, inUse) = await SemaphoreAcquireScript.RunAsync(db, keys, token, redis.Options.Lease, join, redis.Options.WaiterTimeToLive, maxCount,
            keys.WakeChannel(redis.ConnectedRoutes)).ConfigureAwait(false);
        if (fence < 0) throw new SemaphoreCountMismatchException(name, maxCount, inUse);
        return new RedisGrant(fence, false, sent);
    }

    private async ValueTask<bool> RenewAsync(SemaphoreKeys keys, string token)
    {
        var db = (await redis.Connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        return await SemaphoreRenewScript.RunAsync(db, keys, token, redis.Options.Lease).ConfigureAwait(false);
    }

    private async ValueTask ReleaseAsync(SemaphoreKeys keys, string token)
    {
        try
        {
            await ReleaseTokenAsync(keys, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (lifetime.IsDisposed && ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Giving back at disposal: Redis unreachable, the permit expires with its lease.
            redis.Logger.LogDebug(ex, "Giving back a Redis semaphore permit at disposal failed; it expires with its lease");
        }
    }

    // Release or leave (one script); waiters of this store that got a permit are told now rather than by the message.
    private async Task ReleaseTokenAsync(SemaphoreKeys keys, string token)
    {
        var db = (await redis.Connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        var (_, granted) = await SemaphoreReleaseScript.RunAsync(db, keys, token, redis.Options.Lease, keys.WakeChannel(redis.ConnectedRoutes)).ConfigureAwait(false);
        foreach (var (next, fence) in granted) redis.Deliver(keys.HubTag, next, fence);
    }

    private async Task LeaveAsync(SemaphoreKeys keys, string token)
    {
        try
        {
            await ReleaseTokenAsync(keys, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            redis.Logger.LogWarning(ex, "Leaving the wait queue of a Redis semaphore failed; the entry expires on its own");
        }
    }
}
