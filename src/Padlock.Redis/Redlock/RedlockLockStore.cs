using Microsoft.Extensions.Logging;
using Padlock.Redis.Connection;
using Padlock.Redis.Keys;
using Padlock.Redis.Redlock;
using Padlock.Redis.Waiting;
using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis;

/// <summary>
/// Redlock (<c>redlock://h1,h2,h3</c>) over N independent Redis masters: the same owner token is set on all in
/// parallel, and the lock is granted when a majority accepted within the validity time (lease minus elapsed minus a
/// clock-drift allowance). A failed round is undone everywhere. Renewal needs a majority too, else the lost token fires.
/// Disposing the store marks every hold still held lost and deletes it on every master; its waiters get
/// <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>
/// Fencing tokens are the highest counter among the granting masters. They are not guaranteed to rise: two
/// majorities share at least one master, but the highest counter of the first may be on a master the second did not
/// use. See docs/stores/redis.md. Waiting has no queue (order across masters would need consensus): waiters retry when
/// a release is published on any master, with a bounded fallback check and random back-off after a split vote.
/// </remarks>
public sealed class RedlockLockStore : ILockStore
{
    private readonly RedisLockOptions _options;
    private readonly StoreContext _context;
    private readonly RedlockNode[] _nodes;
    private readonly WakeHub _hub;

    // One channel for every lock: Redlock's waiters retry on every release (no queue), and its masters are few.
    private readonly RedisChannel _channel;
    private readonly ILogger _logger;
    private readonly int _quorum;
    private readonly Lock _gate = new();
    private readonly HeldLeases _held = new();
    private readonly StoreLifetime _lifetime = new(nameof(RedlockLockStore));
    private Task? _connected;

    /// <summary>Builds the store over <see cref="RedisLockOptions.Endpoints"/> (at least 3); nothing connects until the first lock call.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range, or a TLS file is missing or unreadable.</exception>
    public RedlockLockStore(RedisLockOptions options, StoreContext? context = null)
        : this(Checked(options, null), null, context)
    {
    }

    /// <summary>
    /// Builds the store over the application's own connections, one per independent master (at least 3). Padlock uses
    /// them as they are and never closes them: disposing the store only gives back its locks and removes its subscriptions.
    /// </summary>
    /// <param name="masters">One multiplexer per master.</param>
    /// <param name="options">Lock options; the connections' own settings (endpoints, user, password, TLS) must be left unset.</param>
    /// <param name="context">Logging, clock and owner description.</param>
    /// <exception cref="ArgumentException">Fewer than 3 masters, an option out of range, or one of the connections' own.</exception>
    public static RedlockLockStore FromConnections(IEnumerable<IConnectionMultiplexer> masters, RedisLockOptions? options = null, StoreContext? context = null)
        => new(Borrowed(masters, options), context);

    private RedlockLockStore(RedisLockOptions checkedOptions, string? uri, StoreContext? context)
        : this(Owned(checkedOptions, uri), context)
    {
    }

    private RedlockLockStore((RedisLockOptions Options, RedlockNode[] Nodes) built, StoreContext? context)
    {
        _options = built.Options;
        _context = context ?? StoreContext.Default;
        _logger = _context.LoggerFactory.CreateLogger("Padlock.Redis");
        _nodes = built.Nodes;
        _quorum = Quorum.Of(_nodes.Length);
        _hub = new WakeHub();
        _channel = RedisChannel.Literal(_options.KeyPrefix + "wake");
    }

    /// <summary>The factory's constructor: messages about the options name the (redacted) URI.</summary>
    internal static RedlockLockStore FromUri(RedisLockOptions options, string uri, StoreContext context)
        => new(Checked(options, uri), uri, context);

    private static RedisLockOptions Checked(RedisLockOptions options, string? uri)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Validate(redlock: true, uri);
        return copy;
    }

    private static (RedisLockOptions, RedlockNode[]) Owned(RedisLockOptions options, string? uri)
    {
        // The TLS files are read once and shared by every master's connection.
        var tls = RedisTls.Load(options, uri);
        return (options, [.. options.Endpoints.Select(e => new RedlockNode(e, options, new RedisConnection([e], options, tls, requireConnected: false)))]);
    }

    private static (RedisLockOptions, RedlockNode[]) Borrowed(IEnumerable<IConnectionMultiplexer> masters, RedisLockOptions? options)
    {
        ArgumentNullException.ThrowIfNull(masters);
        var list = masters.ToArray();
        if (list.Any(m => m is null)) throw new ArgumentException("A Redlock master's connection is null.", nameof(masters));
        var names = list.Select(m => m.GetEndPoints().Select(RedisConfiguration.EndpointText).FirstOrDefault() ?? "(application connection)").ToArray();
        var copy = (options ?? new RedisLockOptions()).ForConnection(names, "the application's connections");
        copy.Validate(redlock: true);
        return (copy, [.. list.Select((m, i) => new RedlockNode(names[i], copy, RedisConnection.Borrow(m, copy.ConnectTimeout)))]);
    }

    /// <inheritdoc/>
    public string Kind => "redlock";

    /// <inheritdoc/>
    public async ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        wait.ThrowIfCallerCancelled();
        using var call = _lifetime.Enter();
        // The store's disposal ends a wait like a cancellation would; the caller then gets ObjectDisposedException.
        // Made on the first wait only: a single attempt never waits.
        CancellationTokenSource? stop = null;
        try
        {
            return await AcquireAsync(name, wait, () => (stop ??= CancellationTokenSource.CreateLinkedTokenSource(wait.Token, _lifetime.Disposing)).Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_lifetime.Disposing.IsCancellationRequested && !wait.CancellationToken.IsCancellationRequested)
        {
            throw _lifetime.Disposed();
        }
        finally
        {
            stop?.Dispose();
        }
    }

    private async ValueTask<StoreLease?> AcquireAsync(string name, LockWait wait, Func<CancellationToken> waitToken)
    {
        var time = _context.TimeProvider;
        // The wait counts from the call, connecting included.
        await EnsureConnectedAsync().ConfigureAwait(false);
        var keys = LockKeys.For(_options.KeyPrefix, name);
        var token = OwnerTokens.New(_context.OwnerDescription, _options.Lease);
        var waits = !wait.IsSingleAttempt;
        using var waiter = waits ? _hub.Register(keys.Tag, token) : null;
        if (waits) await Task.WhenAll(_nodes.Select(n => n.SubscribeAsync(_hub, _channel))).ConfigureAwait(false);
        while (true)
        {
            var sent = time.GetTimestamp();
            var answers = await Task.WhenAll(_nodes.Select(n => n.TryAcquireAsync(keys, token))).ConfigureAwait(false);
            var granted = answers.Count(a => a > 0);
            var validity = Quorum.Validity(_options.Lease, time.GetElapsedTime(sent), _options.ClockDriftFactor);
            if (granted >= _quorum && validity > _options.LossMargin)
                return await _held.AdmitAsync(NewLease(keys, token, answers.Max(), sent), _lifetime.Disposed).ConfigureAwait(false);
            if (granted > 0) await ReleaseEverywhereAsync(keys, token).ConfigureAwait(false);
            if (waiter is null) return null;
            // The deadline, the caller or the store's disposal ends the wait; nothing of it is left in Redis.
            if (granted > 0)
            {
                // Split vote: back off a random moment so competing clients stop colliding.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 30)), time, waitToken()).ConfigureAwait(false);
            }
            else
            {
                await waiter.Signal.WaitAsync(_options.FallbackInterval, time, waitToken()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Marks every hold still held through this store lost (its <see cref="StoreLease.LostToken"/> fires), deletes it on
    /// every master (so others get the lock at once, not when the lease ends), ends the waits, then closes the connections.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_lifetime.BeginDispose()) return;
        await _held.CloseAsync().ConfigureAwait(false);
        await _lifetime.DrainAsync(_options.ConnectTimeout * 2).ConfigureAwait(false);
        foreach (var n in _nodes) await n.DisposeAsync().ConfigureAwait(false);
    }

    private RedisLease NewLease(LockKeys keys, string token, long fence, long sent)
        => new(fence, _options, sent, _ => RenewOnMajorityAsync(keys, token), () => new ValueTask(ReleaseEverywhereAsync(keys, token)),
            _context.TimeProvider, _logger);

    private async ValueTask<bool> RenewOnMajorityAsync(LockKeys keys, string token)
    {
        var answers = await Task.WhenAll(_nodes.Select(n => n.RenewAsync(keys, token))).ConfigureAwait(false);
        if (answers.Count(a => a == true) >= _quorum) return true;
        // Lost for sure once too many masters say the key is gone or someone else's for a majority to remain.
        if (answers.Count(a => a == false) > _nodes.Length - _quorum) return false;
        throw new LockStoreUnavailableException(Kind, _options.Endpoints.ToArray(),
            $"Renewing a Redlock hold reached only {answers.Count(a => a == true)} of {_nodes.Length} masters ({string.Join(", ", _options.Endpoints)}); {_quorum} are needed.");
    }

    private Task ReleaseEverywhereAsync(LockKeys keys, string token)
        => Task.WhenAll(_nodes.Select(n => n.ReleaseAsync(keys, token, _channel)));

    // The first call connects to every master at once; fewer than a majority reachable is the connection error.
    private Task EnsureConnectedAsync()
    {
        lock (_gate)
        {
            if (_connected is null || _connected.IsFaulted) _connected = ConnectAsync();
            return _connected;
        }
    }

    private async Task ConnectAsync()
    {
        // Done as soon as a majority is up: a master that is down keeps connecting in the background.
        var pending = _nodes.Select(n => n.ConnectAsync()).ToList();
        var attempts = pending.ToArray();
        var connected = 0;
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (await done.ConfigureAwait(false) && ++connected >= _quorum) return;
        }
        var down = _nodes.Where((_, i) => !attempts[i].Result).Select(n => n.Endpoint).ToArray();
        throw new LockStoreUnavailableException(Kind, down,
            $"Redlock needs {_quorum} of {_nodes.Length} masters, but could not connect to {string.Join(", ", down)} within {Durations.Format(_options.ConnectTimeout)} (connect timeout; set with ?connecttimeout=).");
    }
}
