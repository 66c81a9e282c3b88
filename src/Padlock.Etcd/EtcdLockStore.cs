using Grpc.Core;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Connection;
using Padlock.Etcd.Directory;
using Padlock.Etcd.Mutex;
using Padlock.Etcd.Session;
using Padlock.Etcd.Watching;
using Padlock.Sharding.Directory;
using Padlock.Stores;

namespace Padlock.Etcd;

/// <summary>
/// Locks in an etcd v3 cluster (<c>etcd://host:2379[,host:2379...]/prefix</c>). Each store is one client: one
/// connection per member, one watch stream, and one session lease kept alive for all its locks. Fencing tokens are
/// the create revisions of the lock keys: strictly increasing across the cluster, through restarts and leader changes.
/// </summary>
public sealed class EtcdLockStore : ILockStore, ILockInspector, IPrimitiveInspector, ISemaphoreStore, IReaderWriterLockStore, IElectionStore, IShardDirectoryStore, IEtcdLineHost
{
    private readonly SemaphoreSlim _sessionGate = new(1, 1);
    private readonly HeldLeases _holds = new();
    private readonly TimeSpan _ttl;
    private EtcdSession? _session;
    private int _disposed;

    /// <summary>Creates the store; nothing is contacted until the first lock is requested.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message says what is allowed), or a TLS file is missing or unreadable.</exception>
    public EtcdLockStore(EtcdLockOptions? options = null, StoreContext? context = null)
        : this(Checked(options, null), (string?)null, context)
    {
    }

    private EtcdLockStore(EtcdLockOptions options, string? uri, StoreContext? context)
        : this(options, Connect(options, uri, (context ?? StoreContext.Default).TimeProvider), context)
    {
    }

    private EtcdLockStore(EtcdLockOptions options, EtcdConnection connection, StoreContext? context)
    {
        context ??= StoreContext.Default;
        Time = context.TimeProvider;
        Logger = context.LoggerFactory.CreateLogger("Padlock.Etcd");
        Prefix = options.Prefix;
        OwnerValue = ByteString.CopyFromUtf8(context.OwnerDescription);
        _ttl = options.SessionTtl;
        Connection = connection;
        Watches = new WatchHub(Connection, Logger);
        Line = new EtcdLine(Connection, Watches);
        DirectoryRegistrations = new(static r => r.IsLive);
    }

    /// <summary>
    /// Creates the store over the application's own gRPC channel to etcd (<c>channel.CreateCallInvoker()</c>, with any
    /// interceptors that add credentials): its TLS, credentials and load balancing are used as they are, and disposing
    /// the store closes nothing (it only revokes the store's session). An application with a dotnet-etcd
    /// <c>EtcdClient</c> shares one invoker: <c>new EtcdClient(invoker)</c> and <c>EtcdLockStore.FromCallInvoker(invoker)</c>
    /// (the client does not expose the invoker it builds itself).
    /// </summary>
    /// <param name="invoker">The application's invoker.</param>
    /// <param name="options">Lock options (prefix, TTL, timeouts); the connection's own (endpoints, TLS, user, password) must be left unset.</param>
    /// <param name="context">Logging, clock and owner description.</param>
    /// <exception cref="ArgumentException">An option is invalid, or is one of the connection's own.</exception>
    public static EtcdLockStore FromCallInvoker(CallInvoker invoker, EtcdLockOptions? options = null, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        var checkedOptions = Checked(options, null);
        if (checkedOptions.Endpoints.Count > 0 || checkedOptions.UseTls || checkedOptions.User is not null || (checkedOptions.TlsCaFile ?? checkedOptions.TlsCertificateFile) is not null)
            throw new ArgumentException("EtcdLockOptions.Endpoints, TLS, User and Password belong to the application's channel: leave them unset here.", nameof(options));
        var connection = EtcdConnection.Borrow(invoker, ["(application channel)"], checkedOptions.ConnectTimeout, checkedOptions.RequestTimeout,
            (context ?? StoreContext.Default).TimeProvider);
        return new EtcdLockStore(checkedOptions, connection, context);
    }

    /// <summary>The factory's constructor: messages about the options name the (redacted) URI.</summary>
    internal static EtcdLockStore FromUri(EtcdLockOptions options, string uri, StoreContext context) => new(Checked(options, uri), uri, context);

    private static EtcdLockOptions Checked(EtcdLockOptions? options, string? uri)
    {
        // Copied first, then checked: the store never shares (or changes) the caller's mutable object.
        var copy = options?.Clone() ?? new EtcdLockOptions();
        copy.Validate(uri);
        return copy;
    }

    private static EtcdConnection Connect(EtcdLockOptions options, string? uri, TimeProvider time)
    {
        var endpoints = options.EffectiveEndpoints.Select(e => e.Contains(':', StringComparison.Ordinal) ? e : e + ":2379").ToArray();
        var auth = options.User is { } user ? new EtcdAuth(user, options.Password!) : null;
        return new EtcdConnection(endpoints, options.ConnectTimeout, options.RequestTimeout, time, EtcdTls.Load(options, uri), auth);
    }

    /// <inheritdoc/>
    public string Kind => "etcd";

    /// <summary>The endpoints this store talks to.</summary>
    public IReadOnlyList<string> Endpoints => Connection.Endpoints;

    /// <summary>The key prefix of every lock of this store.</summary>
    public string Prefix { get; }

    internal TimeProvider Time { get; }

    /// <summary>
    /// How often a waiting line acquisition reads the line again whatever its watches say (default
    /// <see cref="PredecessorWait.RecheckInterval"/>). Settable for tests that must tell a watch's wake-up from the re-check.
    /// </summary>
    internal TimeSpan LineRecheckInterval { get; set; } = PredecessorWait.RecheckInterval;

    internal ILogger Logger { get; }

    internal ByteString OwnerValue { get; }

    internal EtcdConnection Connection { get; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    internal WatchHub Watches { get; }

    /// <summary>The requests the line recipe makes, over this store's connection and watches.</summary>
    internal EtcdLine Line { get; }

    /// <summary>The shard-directory registrations of this store (this client), by client id.</summary>
    internal DirectoryRegistrations<EtcdDirectoryRegistration> DirectoryRegistrations { get; }

    /// <summary>The lease id of the current session, or null before the first lock (for tests and tools).</summary>
    internal long? CurrentLeaseId => _session?.LeaseId;

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdMutex.TryAcquireAsync(this, Line, LineSpec.Lock(Prefix, OwnerValue, name), name, wait);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The lock's line under <see cref="LinePolicy.Semaphore"/> at <c>PREFIX/#s/NAME/</c>: a key holds while fewer than
    /// <paramref name="maxCount"/> keys have a lower create revision, else it watches the key <paramref name="maxCount"/>
    /// places below its own. The fencing token is the key's create revision.
    /// </remarks>
    public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdMutex.TryAcquireAsync(this, Line, LineSpec.Semaphore(Prefix, OwnerValue, name, maxCount), name, wait);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One line at <c>PREFIX/#rw/NAME/</c>, readers' keys under <c>r/</c> and writers' under <c>w/</c>: a writer holds when
    /// no key has a lower create revision and watches the key just below; a reader holds when no writer's key has a lower
    /// one and watches the nearest such key. The fencing token is the key's create revision.
    /// </remarks>
    public ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdMutex.TryAcquireAsync(this, Line, LineSpec.ReaderWriter(Prefix, OwnerValue, name, mode), name, wait);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The lock's exclusive line at <c>PREFIX/#el/NAME/</c> (etcd's concurrency.Election): our key's value is
    /// <paramref name="value"/>, the key with the lowest create revision leads, and the term is that revision. A leader
    /// whose process dies or is cut off keeps leading until its session's lease expires (the TTL), then the next
    /// campaigner is elected.
    /// </remarks>
    public ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        ElectionLimits.ValidateValue(value, nameof(value));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdMutex.TryAcquireAsync(this, Line, LineSpec.Election(Prefix, name, value), name, wait);
    }

    /// <inheritdoc/>
    /// <remarks>A put of our key in a txn guarded by its create revision, keeping its lease.</remarks>
    public ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        ElectionLimits.ValidateValue(value, nameof(value));
        return EtcdElection.ProclaimAsync(Line, name, leadership, value, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdElection.GetLeaderAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Reads the lowest key, then watches the prefix from that read's revision on a stream of its own and reads again at
    /// each event (and every few seconds without one). While the cluster cannot be reached the observation waits rather
    /// than failing. Ends when the store is disposed.
    /// </remarks>
    public IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdElection.ObserveAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdInspector.InspectAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The map is the key <c>PREFIX/#shards/map</c> (its version the key's mod revision), each client the key
    /// <c>PREFIX/#shards/clients/ID</c> under this store's session lease; no lock, semaphore, reader-writer lock or
    /// election name leads to either. Reads are linearizable ranges; the map is written by a txn on its mod revision.
    /// </remarks>
    public IShardDirectory OpenShardDirectory()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return new EtcdShardDirectory(this);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The keys under <c>PREFIX/#s/NAME/</c> in create-revision order: the first maxCount hold (the maxCount the keys
    /// record decides; <paramref name="maxCount"/> only when they record none). Tokens are the keys' create revisions.
    /// </remarks>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        if (maxCount is < 1 or > SemaphoreLimits.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be from 1 to {SemaphoreLimits.MaxCount}.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdPrimitiveInspector.SemaphoreAsync(this, name, maxCount, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The keys under <c>PREFIX/#rw/NAME/</c> (readers' under <c>r/</c>, writers' under <c>w/</c>) in create-revision order.</remarks>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdPrimitiveInspector.ReaderWriterAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The keys under <c>PREFIX/#el/NAME/</c>: the lowest leads, each key's value is its candidate's; owners are not recorded (null).</remarks>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return EtcdPrimitiveInspector.ElectionAsync(this, name, cancellationToken);
    }

    /// <summary>The live session, starting a new one (a new lease) when there is none or the last was lost.</summary>
    internal ValueTask<EtcdSession> SessionAsync(CancellationToken cancellationToken)
        => _session is { IsLost: false } live ? new(live) : new(StartSessionAsync(cancellationToken));

    private async Task<EtcdSession> StartSessionAsync(CancellationToken cancellationToken)
    {
        await _sessionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is { IsLost: false } live) return live;
            if (_session is { } old)
            {
                Logger.LogWarning("The etcd session (lease {Lease:x}) was lost; starting a new one", old.LeaseId);
                _ = old.DisposeAsync().AsTask();
            }
            _session = await EtcdSession.StartAsync(Connection, _ttl, Time, Logger, cancellationToken).ConfigureAwait(false);
            return _session;
        }
        finally
        {
            _sessionGate.Release();
        }
    }

    async ValueTask<StoreLease> IEtcdLineHost.TrackAsync(EtcdHold hold)
        => await _holds.AdmitAsync(hold, () => new ObjectDisposedException(nameof(EtcdLockStore))).ConfigureAwait(false);

    ValueTask<EtcdSession> IEtcdLineHost.SessionAsync(CancellationToken cancellationToken) => SessionAsync(cancellationToken);

    TimeProvider IEtcdLineHost.Time => Time;

    TimeSpan IEtcdLineHost.RecheckInterval => LineRecheckInterval;

    ILogger IEtcdLineHost.Logger => Logger;

    bool IEtcdLineHost.IsDisposed => IsDisposed;

    /// <summary>Releases every lock still held, ends the session (revoking its lease) and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _holds.CloseAsync().ConfigureAwait(false);
        await Watches.DisposeAsync().ConfigureAwait(false);
        if (_session is { } s) await s.DisposeAsync().ConfigureAwait(false);
        Connection.Dispose();
        _sessionGate.Dispose();
    }
}
