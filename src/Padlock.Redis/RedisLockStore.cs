using Microsoft.Extensions.Logging;
using Padlock.Redis.Connection;
using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Redis.Waiting;
using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis;

/// <summary>
/// Locks on one logical Redis (<c>redis://</c>): a standalone server, a Sentinel-managed master, or a Redis Cluster.
/// Acquire is one script (SET NX PX plus the next fencing token); release is compare-and-delete; the lease is renewed
/// on a cadence and loss is reported through the lost token. Waiters line up first come, first served in a queue
/// kept in Redis; a release hands the lock to the first and tells it with one published message, and a bounded
/// fallback check covers a lost message or a holder that died.
/// </summary>
public sealed class RedisLockStore : ILockStore, ILockInspector
{
    private readonly RedisLockOptions _options;
    private readonly StoreContext _context;
    private readonly RedisConnection _connection;
    private readonly WakeHub _hub;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task? _subscribed;

    /// <summary>Builds the store; nothing connects until the first lock call.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it and the allowed values.</exception>
    public RedisLockStore(RedisLockOptions options, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(redlock: false);
        _options = Copy(options);
        _context = context ?? StoreContext.Default;
        _logger = _context.LoggerFactory.CreateLogger("Padlock.Redis");
        _connection = new RedisConnection(_options.Endpoints, _options, requireConnected: true);
        _hub = new WakeHub(RedisChannel.Literal(_options.KeyPrefix + "wake"));
    }

    /// <inheritdoc/>
    public string Kind => "redis";

    /// <inheritdoc/>
    public async ValueTask<StoreLease?> TryAcquireAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var time = _context.TimeProvider;
        // The timeout counts from the call, connecting included.
        using var scope = new WaitScope(timeout, cancellationToken, time);
        var mux = await _connection.GetAsync().ConfigureAwait(false);
        var db = mux.GetDatabase();
        var keys = LockKeys.For(_options.KeyPrefix, name);
        var token = OwnerTokens.New(_context.OwnerDescription, _options.Lease);
        var wait = timeout != TimeSpan.Zero;

        // A waiter is registered before its first attempt, so a release between that attempt and the wait still wakes it.
        using var waiter = wait ? _hub.Register(keys.Tag, token) : null;
        if (wait) await EnsureSubscribedAsync(mux).ConfigureAwait(false);
        while (true)
        {
            // Also when the grant comes by message: the hand-off happened after this attempt ran, so the lease
            // counted from this moment ends no later than the one Redis applies.
            var sent = time.GetTimestamp();
            var fence = await AcquireScript.RunAsync(db, keys, token, _options.Lease, wait, _options.WaiterTimeToLive).ConfigureAwait(false);
            if (fence > 0) return NewLease(db, keys, token, fence, sent);
            if (waiter is null) return null;
            try
            {
                var granted = await waiter.Signal.WaitAsync(_options.FallbackInterval, time, scope.Token).ConfigureAwait(false);
                if (granted > 0) return NewLease(db, keys, token, granted, sent);
            }
            catch (OperationCanceledException) when (scope.Token.IsCancellationRequested)
            {
                await LeaveAsync(db, keys, token).ConfigureAwait(false);
                scope.ThrowIfCallerCancelled();
                return null;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        var db = (await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
        var (holder, left, fence, waiters) = await InspectScript.RunAsync(db, LockKeys.For(_options.KeyPrefix, name)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return holder is null
            ? new LockStatus(name, false, Waiters: waiters.Select(OwnerTokens.Describe).ToArray())
            : new LockStatus(name, true, fence, OwnerTokens.Describe(holder), null, left, waiters.Select(OwnerTokens.Describe).ToArray());
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    internal Task<ConnectionMultiplexer> ConnectionAsync() => _connection.GetAsync();

    internal string KeyPrefix => _options.KeyPrefix;

    private RedisLease NewLease(IDatabase db, LockKeys keys, string token, long fence, long sent)
        => new(fence, _options, sent,
            async _ => await RenewScript.RunAsync(db, keys, token, _options.Lease).ConfigureAwait(false),
            () => new ValueTask(ReleaseAsync(db, keys, token)),
            _context.TimeProvider, _logger);

    // Release, or leave the line on timeout or cancellation (the same script: it also gives back a grant that raced
    // with the cancel). When the lock went to a waiter of this process, tell it now rather than via the message.
    private async Task ReleaseAsync(IDatabase db, LockKeys keys, string token)
    {
        var (_, next, fence) = await ReleaseScript.RunAsync(db, keys, token, _options.Lease, _hub.Channel, alwaysPublish: false).ConfigureAwait(false);
        if (next is not null) _hub.Deliver(keys.Tag, next, fence);
    }

    private async Task LeaveAsync(IDatabase db, LockKeys keys, string token)
    {
        try
        {
            await ReleaseAsync(db, keys, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The queue entry expires by itself once it stops checking in.
            _logger.LogWarning(ex, "Leaving the wait queue of a Redis lock failed; the entry expires on its own");
        }
    }

    private Task EnsureSubscribedAsync(ConnectionMultiplexer mux)
    {
        lock (_gate)
        {
            if (_subscribed is null || _subscribed.IsFaulted || _subscribed.IsCanceled) _subscribed = _hub.SubscribeAsync(mux);
            return _subscribed;
        }
    }

    internal static RedisLockOptions Copy(RedisLockOptions o) => new()
    {
        Endpoints = [.. o.Endpoints],
        Lease = o.Lease,
        RenewInterval = o.RenewInterval,
        KeyPrefix = o.KeyPrefix,
        ConnectTimeout = o.ConnectTimeout,
        FallbackInterval = o.FallbackInterval,
        Password = o.Password,
        SentinelServiceName = o.SentinelServiceName,
        ClockDriftFactor = o.ClockDriftFactor,
    };
}
