using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Padlock.Redis.Cohort;
using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Redis.Waiting;
using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis.Lines;

/// <summary>
/// Elections of one <see cref="RedisLockStore"/>: a campaign is a write hold of the election's line
/// (<see cref="RedisLines"/>) whose value is kept beside the hold, under the holder's own token, so no write of one
/// campaigner can touch another's value. Every script that changes the leader (its token, term or value) publishes
/// one "changed" message on the store's channel; observers read the leader at each one, and at least every
/// <see cref="RecheckInterval"/> (a leader that crashed is only seen gone when someone next looks: a waiting
/// campaigner's check-in, which then also publishes, or this re-read).
/// </summary>
internal sealed class RedisElections(RedisTurns redis, RedisLines lines, StoreLifetime lifetime)
{
    /// <summary>How long an observer waits for a "changed" message before reading the leader again anyway.</summary>
    /// <remarks>Settable only so a test can show that the messages, not this re-read, carry the changes.</remarks>
    internal static TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    private LineKeys Keys(string name) => LineKeys.Election(redis.Options.KeyPrefix, name);

    public async ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
        => await lines.TryAcquireAsync(Keys(name), 'w', value, wait).ConfigureAwait(false);

    public async ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        if (leadership is not RedisLease { OwnerToken: { } token } lease)
            throw new ArgumentException("The leadership was not granted by this Redis store.", nameof(leadership));
        using var call = lifetime.Enter();
        var db = (await redis.Connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
        var keys = Keys(name);
        if (await ElectionScripts.ProclaimAsync(db, keys, token, value, keys.WakeChannel(redis.ConnectedRoutes)).WaitAsync(cancellationToken).ConfigureAwait(false))
            return;
        lease.MarkLost();
        throw new InvalidOperationException(
            $"The leadership of election '{name}' (term {lease.FencingToken}) is no longer held: its hold in Redis is gone or expired; nothing was proclaimed.");
    }

    public async ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken)
    {
        using var call = lifetime.Enter();
        var db = (await redis.Connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
        return await ElectionScripts.LeaderAsync(db, Keys(name)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var keys = Keys(name);
        // Registered before the first read, so a change between a read and the wait still wakes the wait.
        using var registration = redis.Register(keys.HubTag, LineLua.ObserverToken);
        // Listened to from the first read on (once connected: the channel depends on the connection's routes).
        var listening = new Listening?[1];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Disposing);
        try
        {
            while (!lifetime.IsDisposed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (read, leader) = await TryReadAsync(keys, listening, cancellationToken).ConfigureAwait(false);
                if (read) yield return leader;
                try
                {
                    await registration.Signal.WaitAsync(read ? RecheckInterval : TimeSpan.FromMilliseconds(500), redis.Time, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The store is being disposed: the observation ends.
                }
            }
        }
        finally
        {
            listening[0]?.Dispose();
        }
    }

    // listening: one slot, filled on the first read that finds Redis connected.
    private async Task<(bool Read, LeaderInfo? Leader)> TryReadAsync(LineKeys keys, Listening?[] listening, CancellationToken cancellationToken)
    {
        try
        {
            var db = (await redis.Connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
            // Subscribed before the read (once; later calls find it made), so a change after the read is heard.
            listening[0] ??= redis.Listen(keys.WakeChannel(redis.ConnectedRoutes));
            await listening[0]!.ReadyAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return (true, await ElectionScripts.LeaderAsync(db, keys).WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is RedisException or TimeoutException or LockStoreUnavailableException)
        {
            // Redis unreachable this once: wait a little and read again; an observation outlives an outage.
            redis.Logger.LogDebug(ex, "Could not read the Redis election {Tag}; reading again", keys.HubTag);
            return (false, null);
        }
        catch (ObjectDisposedException)
        {
            // The store was disposed: the loop sees it and ends the observation.
            return (false, null);
        }
    }
}
