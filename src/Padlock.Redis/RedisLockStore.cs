using Padlock.Redis.Cohort;
using Padlock.Redis.Connection;
using Padlock.Redis.Keys;
using Padlock.Redis.Lines;
using Padlock.Redis.Scripts;
using Padlock.Redis.Semaphores;
using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis;

/// <summary>
/// Locks on one logical Redis (<c>redis://</c>): a standalone server, a Sentinel-managed master, or a Redis Cluster.
/// Acquire is one script (SET NX PX plus the next fencing token); release is compare-and-delete; the lease is renewed
/// on a cadence and loss is reported through the lost token. Waiters line up first come, first served in a queue
/// kept in Redis; a release hands the lock to the first and tells it with one published message, and a bounded
/// fallback check covers a lost message or a holder that died. Inside one store, callers of the same name form a
/// cohort: while the store holds the key, a release hands it to the next local caller without a round trip, with
/// the next token of a block reserved at the grant, until the block or a short window runs out or someone waits in
/// Redis (see <c>Cohort/LockCohort.cs</c>). Disposing the store marks every hold lost and gives its key back at once,
/// leaves the Redis line, and fails its waiters with <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class RedisLockStore : ILockStore, ILockInspector, IPrimitiveInspector, ISemaphoreStore, IReaderWriterLockStore, IElectionStore
{
    private readonly RedisLockOptions _options;
    private readonly StoreContext _context;
    private readonly RedisConnection _connection;
    private readonly RedisTurns _redis;
    private readonly Dictionary<string, LockCohort> _cohorts = new(StringComparer.Ordinal);
    private readonly LockKeyCache _keys;
    private readonly Action<LockCohort> _retire;
    private readonly StoreLifetime _lifetime = new(nameof(RedisLockStore));
    private readonly RedisSemaphores _semaphores;
    private readonly RedisLines _lines;
    private readonly RedisElections _elections;

    /// <summary>Builds the store; nothing connects until the first lock call.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range, or a TLS file is missing or unreadable; the message names it and the allowed values.</exception>
    public RedisLockStore(RedisLockOptions options, StoreContext? context = null)
        : this(Checked(options), null, context)
    {
    }

    /// <summary>
    /// Builds the store over the application's own connection, which Padlock uses as it is (its endpoints, credentials,
    /// TLS and timeouts) and never closes: disposing the store only gives back its locks and removes its subscription.
    /// </summary>
    /// <param name="connection">The application's multiplexer.</param>
    /// <param name="options">Lock options (lease, renew, prefix, connect timeout for Padlock's waits, fallback); the
    /// connection's own settings (endpoints, user, password, TLS, Sentinel) must be left unset. Default: the defaults.</param>
    /// <param name="context">Logging, clock and owner description. Default: <see cref="StoreContext.Default"/>.</param>
    /// <exception cref="ArgumentException">An option is out of range, or is one of the connection's own.</exception>
    public static RedisLockStore FromConnection(IConnectionMultiplexer connection, RedisLockOptions? options = null, StoreContext? context = null)
        => new(Borrowed(connection, options), context);

    private RedisLockStore((RedisLockOptions Options, RedisConnection Connection) built, StoreContext? context)
    {
        _options = built.Options;
        _context = context ?? StoreContext.Default;
        _connection = built.Connection;
        _redis = new RedisTurns(_options, _context, _connection, OnQueued);
        _keys = new LockKeyCache(_options.KeyPrefix);
        _retire = Retire;
        _semaphores = new RedisSemaphores(_redis, _lifetime);
        _lines = new RedisLines(_redis, _lifetime);
        _elections = new RedisElections(_redis, _lines, _lifetime);
    }

    private RedisLockStore(RedisLockOptions checkedOptions, string? uri, StoreContext? context)
        : this((checkedOptions, new RedisConnection(checkedOptions.Endpoints, checkedOptions, RedisTls.Load(checkedOptions, uri), requireConnected: true)), context)
    {
    }

    /// <summary>
    /// Builds the store from a StackExchange.Redis configuration string (e.g. <c>"redis1:6380,ssl=true,user=app,password=..."</c>),
    /// for settings Padlock's URI does not have. Padlock owns this connection and closes it with the store. Its
    /// endpoints appear in messages; its password never does.
    /// </summary>
    /// <param name="configuration">The configuration string, as <see cref="ConfigurationOptions.Parse(string)"/> reads it.</param>
    /// <param name="options">Lock options; the connection's own settings (endpoints, user, password, TLS, Sentinel) must be left unset.</param>
    /// <param name="context">Logging, clock and owner description.</param>
    /// <exception cref="ArgumentException">The string cannot be parsed or names no endpoint, or an option is out of range.</exception>
    public static RedisLockStore FromConfiguration(string configuration, RedisLockOptions? options = null, StoreContext? context = null)
    {
        var config = RedisConfiguration.Parse(configuration);
        var lockOptions = (options ?? new RedisLockOptions()).ForConnection([.. config.EndPoints.Select(RedisConfiguration.EndpointText)], "the configuration string");
        lockOptions.Validate(redlock: false);
        return new RedisLockStore((lockOptions, new RedisConnection(config, lockOptions.ConnectTimeout, requireConnected: true)), context);
    }

    /// <summary>The factory's constructor: messages about the options name the (redacted) URI.</summary>
    internal static RedisLockStore FromUri(RedisLockOptions options, string uri, StoreContext context)
    {
        options.Validate(redlock: false, uri);
        return new RedisLockStore(options.Clone(), uri, context);
    }

    private static RedisLockOptions Checked(RedisLockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Copied first, then checked: the store never shares (or validates) the caller's mutable object.
        var copy = options.Clone();
        copy.Validate(redlock: false);
        return copy;
    }

    private static (RedisLockOptions, RedisConnection) Borrowed(IConnectionMultiplexer connection, RedisLockOptions? options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var endpoints = connection.GetEndPoints().Select(RedisConfiguration.EndpointText).ToArray();
        var copy = (options ?? new RedisLockOptions()).ForConnection(endpoints.Length > 0 ? endpoints : ["(application connection)"], "the application's connection");
        copy.Validate(redlock: false);
        return (copy, RedisConnection.Borrow(connection, copy.ConnectTimeout));
    }

    /// <inheritdoc/>
    public string Kind => "redis";

    /// <inheritdoc/>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout; the message names the endpoints.</exception>
    public async ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        // One state machine for the store's part of an acquire (a layer more would cost one per call).
        try
        {
            wait.ThrowIfCallerCancelled();
            using var call = _lifetime.Enter();
            // The wait counts from the call, connecting included.
            var keys = _keys.For(name);
            while (true)
            {
                var cohort = CohortFor(keys);
                switch (cohort.Enter(!wait.IsSingleAttempt, out var node))
                {
                    case LocalLine<CohortHold>.Entry.Attempt: return await cohort.AttemptAsync(wait).ConfigureAwait(false);
                    case LocalLine<CohortHold>.Entry.Queued: return await cohort.WaitQueuedAsync(node!, wait).ConfigureAwait(false);
                    case LocalLine<CohortHold>.Entry.Refused: return null;
                    default: continue; // retired between lookup and entry
                }
            }
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Each permit is its own holder with its own lease, renewed while held; a waiter waits in the name's Redis line
    /// and a release hands free permits to its head (see docs/stores/redis.md, Semaphores).
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout; the message names the endpoints.</exception>
    public async ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        try
        {
            return await _semaphores.TryAcquireAsync(name, maxCount, wait).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Each holder has its own token and lease in the name's readers or writer set, renewed while held; waiters line up
    /// in one Redis line, and a release hands the lock to the next writer alone or to every reader up to the next
    /// writer (see docs/stores/redis.md, Reader-writer locks).
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout; the message names the endpoints.</exception>
    public async ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        var m = mode switch
        {
            LockMode.Read => 'r',
            LockMode.Write => 'w',
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "The mode must be LockMode.Read or LockMode.Write."),
        };
        try
        {
            return await _lines.TryAcquireAsync(LineKeys.ReaderWriter(_options.KeyPrefix, name), m, null, wait).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A write hold of the election's own line whose value is kept beside it; the term is the hold's fencing token. A
    /// leader whose process dies keeps leading until its lease ends (the <c>lease</c> setting), then the next campaigner
    /// in line is elected (see docs/stores/redis.md, Leader election).
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout; the message names the endpoints.</exception>
    public async ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        ElectionLimits.ValidateValue(value, nameof(value));
        try
        {
            return await _elections.CampaignAsync(name, value, wait).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>One script: the value is set only while this leadership's token still holds the election with its term.</remarks>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout.</exception>
    public async ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        LockNames.Validate(name);
        ElectionLimits.ValidateValue(value, nameof(value));
        try
        {
            await _elections.ProclaimAsync(name, leadership, value, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout.</exception>
    public async ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        try
        {
            return await _elections.GetLeaderAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Reads the leader, then again at each "changed" message on the store's one subscription and at least every second
    /// without one. While Redis cannot be reached the observation waits rather than failing. Ends when the store is disposed.
    /// </remarks>
    public IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        if (_lifetime.IsDisposed) throw _lifetime.Disposed();
        return _elections.ObserveAsync(name, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout.</exception>
    public async ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await InspectCoreAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    private async ValueTask<LockStatus> InspectCoreAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        var keys = LockKeys.For(_options.KeyPrefix, name);
        var db = (await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
        var (holder, left, counter, waiters) = await InspectScript.RunAsync(db, keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (holder is null) return new LockStatus(name, false, Waiters: waiters.Select(OwnerTokens.Describe).ToArray());
        LockCohort? local;
        lock (_cohorts) _cohorts.TryGetValue(keys.Tag, out local);
        // The counter is the end of the holder's reserved block; its first holder got the block's first token, and
        // holders inside that process later ones (exact when the holder is this store).
        var fence = local?.CurrentFence() ?? counter - CohortHold.Block + 1;
        return new LockStatus(name, true, fence, OwnerTokens.Describe(holder), null, left, waiters.Select(OwnerTokens.Describe).ToArray());
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The holders set (ordered by fencing token) and the live waiters of the queue, read by one script. Tokens and
    /// lease left are the holders' own; <paramref name="maxCount"/> is not needed (Redis keeps holders and waiters apart).
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout.</exception>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
        => InspectLineAsync(name, db => InspectLineScript.RunAsync(db, SemaphoreKeys.For(_options.KeyPrefix, name)), withMode: false, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The readers and writer sets (ordered by fencing token) and the live waiters of the queue with their modes, read by one script.</remarks>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout.</exception>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
        => InspectLineAsync(name, db => InspectLineScript.RunAsync(db, LineKeys.ReaderWriter(_options.KeyPrefix, name)), withMode: true, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The leader (the writer set) with its value and term, and the live campaigners of the queue with theirs, read by one script.</remarks>
    /// <exception cref="LockStoreUnavailableException">Redis did not answer within the connect timeout.</exception>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
        => InspectLineAsync(name, db => InspectLineScript.RunAsync(db, LineKeys.Election(_options.KeyPrefix, name)), withMode: false, cancellationToken);

    private async ValueTask<PrimitiveStatus> InspectLineAsync(string name,
        Func<IDatabaseAsync, Task<(List<InspectLineScript.Holder> Holders, List<InspectLineScript.Waiter> Waiters)>> read, bool withMode, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        if (_lifetime.IsDisposed) throw _lifetime.Disposed();
        try
        {
            var db = (await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
            var (holders, waiters) = await read(db).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new PrimitiveStatus(name,
                [.. holders.OrderBy(h => h.Fence ?? long.MaxValue).Select(h => new PrimitiveEntry(OwnerTokens.Describe(h.Token), h.Fence, null, h.Left,
                    withMode ? (h.Reads ? LockMode.Read : LockMode.Write) : null, h.Value))],
                [.. waiters.Select(w => new PrimitiveEntry(OwnerTokens.Describe(w.Token),
                    Mode: withMode ? (w.Reads == true ? LockMode.Read : LockMode.Write) : null, Value: w.Value))]);
        }
        catch (Exception ex) when (RedisUnavailable.Is(ex))
        {
            throw RedisUnavailable.Wrap(Kind, _options.Endpoints.ToArray(), ex);
        }
    }

    /// <summary>
    /// Loses every lock still held through this store: each hold is marked lost (its holders' <see cref="StoreLease.LostToken"/>
    /// fires) and its key deleted by compare-and-delete, so another store gets it at once rather than when the lease ends.
    /// Callers waiting here get <see cref="ObjectDisposedException"/>, the store leaves the Redis lines it stood in, and the
    /// connection closes once the calls in flight have returned.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_lifetime.BeginDispose()) return;
        LockCohort[] cohorts;
        lock (_cohorts) cohorts = [.. _cohorts.Values];
        foreach (var cohort in cohorts) await cohort.DisposeAsync().ConfigureAwait(false);
        await _semaphores.CloseAsync().ConfigureAwait(false);
        await _lines.CloseAsync().ConfigureAwait(false);
        await _lifetime.DrainAsync(_options.ConnectTimeout * 2).ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    internal Task<IConnectionMultiplexer> ConnectionAsync() => _connection.GetAsync();

    internal string KeyPrefix => _options.KeyPrefix;

    /// <summary>Whether this store holds <paramref name="name"/> and has heard that someone else waits for it in Redis (tests).</summary>
    internal bool KnowsOthersWait(string name)
    {
        LockCohort? cohort;
        lock (_cohorts) _cohorts.TryGetValue(LockKeys.For(_options.KeyPrefix, name).Tag, out cohort);
        return cohort?.KnowsOthersWait() ?? false;
    }

    /// <summary>This store's wake-up inbox channel (tests).</summary>
    internal string InboxChannel => _redis.Inbox.ToString();

    /// <summary>Joins of other stores heard for <paramref name="name"/> while this store had no hold of it (tests).</summary>
    internal long JoinsHeard(string name)
    {
        LockCohort? cohort;
        lock (_cohorts) _cohorts.TryGetValue(LockKeys.For(_options.KeyPrefix, name).Tag, out cohort);
        return cohort?.JoinsHeard ?? 0;
    }

    /// <summary>How many callers of this store wait in its local line for <paramref name="name"/> (tests).</summary>
    internal int LocalWaiters(string name)
    {
        LockCohort? cohort;
        lock (_cohorts) _cohorts.TryGetValue(LockKeys.For(_options.KeyPrefix, name).Tag, out cohort);
        return cohort?.LocalWaiterCount ?? 0;
    }

    private LockCohort CohortFor(LockKeys keys)
    {
        lock (_cohorts)
        {
            // Checked under the registry's lock: a cohort made after disposal took its list would never be disposed.
            if (_lifetime.IsDisposed) throw _lifetime.Disposed();
            if (!_cohorts.TryGetValue(keys.Tag, out var cohort)) _cohorts[keys.Tag] = cohort = new LockCohort(_redis, keys, _retire, _lifetime);
            return cohort;
        }
    }

    // An idle cohort leaves the registry, so a store that touched many names keeps nothing for them.
    private void Retire(LockCohort cohort)
    {
        lock (_cohorts)
        {
            if (_cohorts.TryGetValue(cohort.Keys.Tag, out var current) && current == cohort && cohort.TryRetire()) _cohorts.Remove(cohort.Keys.Tag);
        }
    }

    private void OnQueued(string tag, string token)
    {
        LockCohort? cohort;
        lock (_cohorts) _cohorts.TryGetValue(tag, out cohort);
        cohort?.NoteQueued(token);
    }
}
