using Microsoft.Extensions.Logging;
using Padlock.Redis.Connection;
using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Redis.Waiting;
using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis.Cohort;

/// <summary>A grant from Redis: the first fencing token of the reserved block, whether others wait behind, and when the granting request was sent.</summary>
internal readonly record struct RedisGrant(long Fence, bool OthersQueued, long SentAt);

/// <summary>
/// A process's turns at one logical Redis: try for the key, wait in the Redis line until a release hands it over,
/// keep it renewed, give it back. <see cref="LockCohort"/> decides when; this class only talks to Redis.
/// </summary>
internal sealed class RedisTurns
{
    private readonly RedisLockOptions _options;
    private readonly StoreContext _context;
    private readonly RedisConnection _connection;
    private readonly WakeHub _hub;
    private readonly ILogger _logger;
    private readonly WakeChannels _channels;
    private readonly HandOffPolicy _policy;
    private readonly ulong _inbox = OwnerTokens.NewInbox();
    private readonly string _inboxId;

    // Set once an acquire script has run here: from then on the free path may use plain commands (FirstAttemptAsync).
    private volatile bool _scriptsRun;

    public RedisTurns(RedisLockOptions options, StoreContext context, RedisConnection connection, Action<string, string> onQueued)
    {
        _options = options;
        _policy = new HandOffPolicy(options.HandOffSlice, options.HandOffBatch);
        _context = context;
        _connection = connection;
        _logger = context.LoggerFactory.CreateLogger("Padlock.Redis");
        _hub = new WakeHub(onQueued);
        _channels = new WakeChannels(connection, _hub, context.TimeProvider, _logger);
        _inboxId = OwnerTokens.InboxOf(_inbox);
        InboxPrefix = RedisChannel.Literal(options.KeyPrefix + "inbox:");
        Inbox = RedisChannel.Literal(options.KeyPrefix + "inbox:" + _inboxId);
    }

    /// <summary>
    /// The lock's wake-ups are addressed: a hand-off goes to the new holder's store only, a join notice to the holding
    /// store only, on its inbox channel (an inbox prefix followed by the first 16 characters of the holder's or waiter's
    /// owner token, which are the store's inbox id). So however many processes wait for one name, a grant wakes one of
    /// them. With classic pub/sub the store has this one inbox for all its locks; on a sharded Cluster (see
    /// <see cref="WakeRoutes"/>) one per lock, <c>prefix{name}:inbox:id</c> (<see cref="InboxOf"/>), in the slot of the
    /// lock's keys. Semaphores, reader-writer locks and elections use the name's channel.
    /// </summary>
    public RedisChannel Inbox { get; }

    /// <summary>The classic prefix the lock's scripts complete with a token's inbox id.</summary>
    public RedisChannel InboxPrefix { get; }

    /// <summary>How wake-ups travel; null before the store's first connection.</summary>
    public WakeRoutes? Routes => _connection.Routes;

    /// <summary>
    /// How wake-ups travel, for code that has awaited the connection (which sets them). Classic when still unknown:
    /// only an application's multiplexer that is not connected, whose commands fail anyway.
    /// </summary>
    public WakeRoutes ConnectedRoutes => _connection.Routes ?? WakeRoutes.Classic;

    /// <summary>
    /// The channel this store hears <paramref name="keys"/>' lock on: the lock's own inbox on a sharded Cluster (a new
    /// channel value each call: callers keep it), else the store's <see cref="Inbox"/> (also while the routes are unknown).
    /// </summary>
    public RedisChannel InboxOf(LockKeys keys) => Routes is { Sharded: true } ? RedisChannel.Sharded(keys.Stem + "inbox:" + _inboxId) : Inbox;

    // What the lock's scripts complete with a token's inbox id (called after the connection was awaited).
    private RedisChannel InboxPrefixOf(LockKeys keys) => ConnectedRoutes.Sharded ? keys.ShardedInboxPrefix : InboxPrefix;

    public TimeProvider Time => _context.TimeProvider;

    /// <summary>The store's options (lease, renewal, fallback interval, key prefix).</summary>
    public RedisLockOptions Options => _options;

    /// <summary>The store's connection.</summary>
    public RedisConnection Connection => _connection;

    /// <summary>Where renewal and leave failures go.</summary>
    public ILogger Logger => _logger;

    /// <summary>The store's per-name wake-up subscriptions.</summary>
    internal WakeChannels Channels => _channels;

    /// <summary>Wakes this store's waiter holding <paramref name="token"/> with a grant (a release here handed it over).</summary>
    public void Deliver(string tag, string token, long fence) => _hub.Deliver(tag, token, fence);

    /// <summary>Registers a wake-up under a hub tag of its own (a semaphore's); see <see cref="Register(LockKeys, string)"/>.</summary>
    public WakeHub.Waiter Register(string tag, string token) => _hub.Register(tag, token);

    /// <summary>A fresh owner token for one turn.</summary>
    public string NewToken() => OwnerTokens.New(_inbox, _context.OwnerDescription, _options.Lease);

    /// <summary>Registers a wake-up for <paramref name="token"/>; registered before the first attempt, so a release between that attempt and the wait still reaches it.</summary>
    public WakeHub.Waiter Register(LockKeys keys, string token) => _hub.Register(keys.Tag, token);

    /// <summary>
    /// Listens on <paramref name="channel"/> (a name's wake-ups) until the handle is disposed. The SUBSCRIBE starts at
    /// once but is not waited for: see <see cref="WaitForGrantAsync(Func{Task{RedisGrant}}, Func{Task}, WakeSignal, RedisGrant?, Listening, CancellationToken)"/>.
    /// </summary>
    public Listening Listen(RedisChannel channel) => _channels.Listen(channel);

    /// <summary>One acquire script: granted, or (with <paramref name="join"/>) in the line.</summary>
    public async Task<RedisGrant> AttemptAsync(LockKeys keys, string token, bool join)
    {
        var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        // Also when the grant comes later by message: the hand-off happened after this attempt ran, so the lease
        // counted from this moment ends no later than the one Redis applies.
        var sent = Time.GetTimestamp();
        var (fence, others) = await AcquireScript.RunAsync(db, keys, token, _options.Lease, join, _options.WaiterTimeToLive, CohortHold.Block, InboxPrefixOf(keys)).ConfigureAwait(false);
        _scriptsRun = true;
        return new RedisGrant(fence, others, sent);
    }

    /// <summary>
    /// A caller's first attempt: the uncontended path without Lua, then (not granted, and <paramref name="join"/>) the
    /// acquire script. The free path sends <c>EXISTS queue</c>, <c>SET lock token NX PX lease</c> and <c>INCRBY
    /// fence block</c> together in one round trip: plain commands cost the server and the client less than a script. The token
    /// stays strictly increasing without atomicity: our INCRBY runs after our SET took the key, so after every earlier
    /// holder's INCRBY (each ran before that holder could release), and before any later grant (which needs our release,
    /// sent only once we have the reply). A SET that found the key free while a line existed (the holder's lease ran
    /// out and the head has not claimed the key yet) barged: the key goes straight back through the release script,
    /// which hands it to the head, and we join the line like anyone else. A failed SET's INCRBY only skips a number.
    /// </summary>
    /// <remarks>
    /// Only once a script has run on this store: a user whose ACL denies scripts would otherwise take the key with the
    /// plain commands and then fail to release it (the release is a script), leaving it locked for a lease. The first
    /// acquire goes through the script and fails at once with NOPERM instead.
    /// </remarks>
    public async Task<RedisGrant> FirstAttemptAsync(LockKeys keys, string token, bool join)
    {
        if (!_scriptsRun) return await AttemptAsync(keys, token, join).ConfigureAwait(false);
        var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        var sent = Time.GetTimestamp();
        // A batch: the three go out in one write, so the server reads them in one go and answers in one (three
        // separate writes cost both sides a wake-up each).
        var batch = db.CreateBatch();
        var queued = batch.KeyExistsAsync(keys.Queue);
        var set = batch.StringSetAsync(keys.Lock, token, _options.Lease, When.NotExists);
        var fence = batch.StringIncrementAsync(keys.Fence, CohortHold.Block);
        batch.Execute();
        if (await set.ConfigureAwait(false))
        {
            var last = await fence.ConfigureAwait(false);
            if (!await queued.ConfigureAwait(false)) return new RedisGrant(last - CohortHold.Block + 1, false, sent);
            await ReleaseTokenAsync(keys, token).ConfigureAwait(false);
        }
        else
        {
            _ = fence.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            _ = queued.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            if (!join) return new RedisGrant(0, false, sent);
        }
        return await AttemptAsync(keys, token, join).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits in the Redis line until the key is ours: woken by the release that hands it over, or finding it ours (or
    /// free for us) at a fallback check. Null when <paramref name="stop"/> fired; the line is then left cleanly.
    /// </summary>
    public Task<RedisGrant?> WaitForGrantAsync(LockKeys keys, string token, WakeSignal signal, RedisGrant? joined, Listening listening, CancellationToken stop)
        => WaitForGrantAsync(() => AttemptAsync(keys, token, join: true), () => LeaveAsync(keys, token), signal, joined, listening, stop);

    /// <summary>
    /// The wait itself, for any primitive with a Redis line (the lock, the semaphore): sleep on <paramref name="signal"/>
    /// until a release hands us the hold (the message carries its fencing token) or the fallback interval passes, then
    /// <paramref name="attempt"/> again (which also checks in, and finds a hand-off whose message was lost). When
    /// <paramref name="stop"/> fires, <paramref name="leave"/> (which gives back a grant that raced) and return null.
    /// <paramref name="joined"/> is the attempt that put us in the line, to be passed only when <paramref name="listening"/>
    /// was ready before it was sent; otherwise (null) the wait first waits for the subscription and attempts again,
    /// since a hand-off published before the subscription was made reached nobody.
    /// </summary>
    public async Task<RedisGrant?> WaitForGrantAsync(Func<Task<RedisGrant>> attempt, Func<Task> leave, WakeSignal signal, RedisGrant? joined,
        Listening listening, CancellationToken stop)
    {
        var sent = joined?.SentAt ?? 0;
        var tryFirst = joined is null;
        var subscribed = false;
        while (true)
        {
            if (tryFirst)
            {
                if (!subscribed) subscribed = await listening.ReadyAsync().ConfigureAwait(false);
                var grant = await attempt().ConfigureAwait(false);
                if (grant.Fence > 0) return grant;
                sent = grant.SentAt;
            }
            tryFirst = true;
            try
            {
                var (fence, others) = await signal.WaitAsync(_options.FallbackInterval, Time, stop).ConfigureAwait(false);
                if (fence > 0) return new RedisGrant(fence, others, sent);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                await leave().ConfigureAwait(false);
                return null;
            }
        }
    }

    /// <summary>Starts renewing a granted key.</summary>
    public CohortHold NewHold(LockKeys keys, string token, RedisGrant grant)
    {
        var renewal = new LeaseRenewal(_options.Lease, _options.EffectiveRenewInterval, _options.LossMargin, grant.SentAt,
            async _ => await RenewScript.RunAsync((await _connection.GetAsync().ConfigureAwait(false)).GetDatabase(), keys, token, _options.Lease).ConfigureAwait(false),
            Time, _logger);
        return new CohortHold(token, grant.Fence, grant.OthersQueued, grant.SentAt, Time.GetTimestamp(), _policy, renewal);
    }

    /// <summary>While the key is ours and nobody waits in Redis: a new block of tokens (its first), else 0. Errors count as 0.</summary>
    public async Task<long> RefillAsync(LockKeys keys, CohortHold hold)
    {
        try
        {
            var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
            return await RefillScript.RunAsync(db, keys, hold.Token, _options.Lease, CohortHold.Block).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Then the key goes back the ordinary way, whose own failure the releasing holder sees.
            return 0;
        }
    }

    /// <summary>Gives the key back: stops renewing and compare-and-deletes, which hands it to the first in the Redis line.</summary>
    public async Task ReleaseAsync(LockKeys keys, CohortHold hold)
    {
        // Stopping the renewal and deleting the key go together, so the next holder does not wait for the renewal
        // loop to wind down. A renewal racing with the delete only extends our own token, and a "not ours" answer
        // after the stop is not reported as a loss.
        var stopping = hold.Renewal.DisposeAsync();
        try
        {
            // ReleaseTokenAsync inline: one state machine per release rather than two.
            var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
            var (_, next, fence, others) = await ReleaseScript.RunAsync(db, keys, hold.Token, _options.Lease, InboxPrefixOf(keys), alwaysPublish: false, CohortHold.Block).ConfigureAwait(false);
            if (next is not null) _hub.Deliver(keys.Tag, next, fence, others);
        }
        finally
        {
            await stopping.ConfigureAwait(false);
        }
    }

    // Release, or leave the line (the same script: it also gives back a grant that raced with the leaving). When the
    // lock went to a waiter of this store, tell it now rather than via the message.
    private async Task ReleaseTokenAsync(LockKeys keys, string token)
    {
        var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        var (_, next, fence, others) = await ReleaseScript.RunAsync(db, keys, token, _options.Lease, InboxPrefixOf(keys), alwaysPublish: false, CohortHold.Block).ConfigureAwait(false);
        if (next is not null) _hub.Deliver(keys.Tag, next, fence, others);
    }

    /// <summary>Leaves the Redis line (giving back a grant that raced); errors are logged, the entry then expires by itself.</summary>
    public async Task LeaveAsync(LockKeys keys, string token)
    {
        try
        {
            await ReleaseTokenAsync(keys, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The queue entry expires by itself once it stops checking in.
            _logger.LogWarning(ex, "Leaving the wait queue of a Redis lock failed; the entry expires on its own");
        }
    }
}
