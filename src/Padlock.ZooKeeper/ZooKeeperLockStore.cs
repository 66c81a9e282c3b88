using System.Text;
using Microsoft.Extensions.Logging;
using Padlock.Sharding.Directory;
using Padlock.Stores;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Client.Session;
using Padlock.ZooKeeper.Directory;
using Padlock.ZooKeeper.Locks;

namespace Padlock.ZooKeeper;

/// <summary>
/// Locks on a ZooKeeper ensemble (<c>zk://host:port,.../root</c>): each lock is a container node under the root, and
/// each holder or waiter an ephemeral sequential entry in it; the first entry holds the lock. Waiters watch only their
/// predecessor, so a release wakes one waiter, in FIFO order. The fencing token is the entry's czxid.
/// All locks of a store share one session, opened on first use and replaced if it expires.
/// </summary>
public sealed class ZooKeeperLockStore : ILockStore, ILockInspector, IPrimitiveInspector, ISemaphoreStore, IReaderWriterLockStore, IElectionStore, IShardDirectoryStore, IZooKeeperLineHost
{
    private readonly ZooKeeperLockOptions _options;
    private readonly Padlock.Stores.TlsFiles? _tls;
    private readonly ILogger _logger;
    private readonly byte[] _owner;
    private readonly SemaphoreSlim _sessionGate = new(1, 1);
    private readonly HeldLeases _held = new();
    private readonly EntryDeleter _deleter;
    private LockSession? _session;
    private bool _disposed;

    /// <summary>Creates the store; nothing connects until the first acquire.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it and the allowed range).</exception>
    public ZooKeeperLockStore(ZooKeeperLockOptions options, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Copied first, then checked: the store never shares (or validates) the caller's mutable object.
        _options = options.Clone();
        _options.Validate();
        _tls = ZkTls.Load(_options, null);
        context ??= StoreContext.Default;
        Time = context.TimeProvider;
        _logger = context.LoggerFactory.CreateLogger("Padlock.ZooKeeper");
        _owner = Encoding.UTF8.GetBytes(context.OwnerDescription);
        _deleter = new EntryDeleter(_options.SessionTimeout, _options.RequestTimeout, _logger);
        DirectoryRegistrations = new(static r => r.IsLive);
    }

    /// <inheritdoc/>
    public string Kind => "zk";

    internal TimeProvider Time { get; }

    /// <summary>
    /// How often a waiting line acquisition looks at the line without a watch event (default
    /// <see cref="LockAcquisition.RecheckInterval"/>). Settable for tests that must tell a watch's wake-up from the re-check.
    /// </summary>
    internal TimeSpan LineRecheckInterval { get; set; } = LockAcquisition.RecheckInterval;

    /// <summary>The root node every node of this store lives under.</summary>
    internal string Root => _options.Root;

    /// <summary>The ensemble's servers, for messages.</summary>
    internal IList<string> Servers => _options.Servers;

    /// <summary>The ACL of the nodes this store creates: only the store's digest identity when it has one, else open.</summary>
    internal IReadOnlyList<Acl> NodeAcl => _options.User is { } user ? [Acl.Digest(user, _options.Password!)] : Acl.Open;

    internal ILogger Logger => _logger;

    internal bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>The shard-directory registrations of this store (this client), by client id.</summary>
    internal DirectoryRegistrations<ZooKeeperDirectoryRegistration> DirectoryRegistrations { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// The map is the persistent node <c>ROOT/%shards/map</c> (its version the node's data version), each client the
    /// ephemeral node <c>ROOT/%shards/clients/ID</c> in this store's session; no lock, semaphore, reader-writer lock or
    /// election name leads to either. Every read follows a sync, so it is linearizable.
    /// </remarks>
    public IShardDirectory OpenShardDirectory()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ZooKeeperShardDirectory(this);
    }

    /// <summary>The client of the current session, if one was opened (tests read its counters).</summary>
    internal ZooKeeperClient? CurrentClient => _session?.Client;

    /// <summary>The node holding the entries of lock <paramref name="name"/>.</summary>
    internal string ParentPath(string name) => ZkPaths.Combine(_options.Root, LockNodeNames.Encode(name));

    /// <summary>
    /// The node holding the entries of semaphore <paramref name="name"/>: under <c>ROOT/%sem</c>, a node no lock name
    /// can have (an encoded lock name has '%' only before hex digits), so a lock and a semaphore never share a line.
    /// </summary>
    internal string SemaphoreParentPath(string name) => ZkPaths.Combine(ZkPaths.Combine(_options.Root, SemaphoreNode), LockNodeNames.Encode(name));

    private const string SemaphoreNode = "%sem";

    /// <summary>The node holding the entries of reader-writer lock <paramref name="name"/>: under <c>ROOT/%rw</c>, apart from locks and semaphores by the same argument.</summary>
    internal string ReaderWriterParentPath(string name) => ZkPaths.Combine(ZkPaths.Combine(_options.Root, ReaderWriterNode), LockNodeNames.Encode(name));

    private const string ReaderWriterNode = "%rw";

    /// <summary>The node holding the entries of election <paramref name="name"/>: under <c>ROOT/%el</c>, apart from locks, semaphores and reader-writer locks by the same argument.</summary>
    internal string ElectionParentPath(string name) => ZkPaths.Combine(ZkPaths.Combine(_options.Root, ElectionNode), LockNodeNames.Encode(name));

    private const string ElectionNode = "%el";

    /// <inheritdoc/>
    /// <remarks>
    /// The exclusive lock's line under <c>ROOT/%el/NAME</c>, our entry's data being <paramref name="value"/>: the lowest
    /// entry leads and the term is its czxid. A leader whose session expires (the session timeout after its process
    /// dies or is cut off) loses its entry, and the next campaigner is elected.
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">No server answered in time (see <see cref="TryAcquireAsync"/>).</exception>
    public async ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        ElectionLimits.ValidateValue(value, nameof(value));
        ObjectDisposedException.ThrowIf(_disposed, this);
        wait.ThrowIfCallerCancelled();
        // The exclusive lock's line, our entry's data the value (ZooKeeperElection reads and proclaims it).
        return await RunLineAsync(ElectionParentPath(name), Encoding.UTF8.GetBytes(value), wait, LineRules.Exclusive(), explainNoAuth: false).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>A setData on our own entry guarded by the data version we last wrote.</remarks>
    /// <exception cref="LockStoreUnavailableException">No server answered in time; the value may or may not have changed.</exception>
    public async ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        ElectionLimits.ValidateValue(value, nameof(value));
        try
        {
            await ZooKeeperElection.ProclaimAsync(name, leadership, value, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ZooKeeperUnavailable.Is(ex))
        {
            throw ZooKeeperUnavailable.Wrap(_options.Servers, ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="LockStoreUnavailableException">No server answered in time.</exception>
    public async ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return await ZooKeeperElection.GetLeaderAsync(this, ElectionParentPath(name), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ZooKeeperUnavailable.Is(ex))
        {
            throw ZooKeeperUnavailable.Wrap(_options.Servers, ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A child watch on the line and a data watch on its head, read again when either fires; while the ensemble cannot be
    /// reached the observation waits (and yields nothing) rather than failing. Ends when the store is disposed.
    /// </remarks>
    public IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ZooKeeperElection.ObserveAsync(this, ElectionParentPath(name), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The lock's line recipe with kinds (ZooKeeper's shared-lock recipe, as Curator builds it): each request is an
    /// ephemeral sequential entry whose name says read or write. A writer holds when first and watches the entry just
    /// below its own; a reader holds when no write entry is below it and watches the nearest write entry below it, so a
    /// writer's release wakes the readers behind it together, and a queued writer blocks every later reader.
    /// The fencing token is the entry's czxid.
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">No server answered in time (see <see cref="TryAcquireAsync"/>).</exception>
    public async ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        var rules = LineRules.ReaderWriter(mode);
        ObjectDisposedException.ThrowIf(_disposed, this);
        wait.ThrowIfCallerCancelled();
        return await RunLineAsync(ReaderWriterParentPath(name), _owner, wait, rules, explainNoAuth: false).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The lock's line recipe under <see cref="LinePolicy.Semaphore"/>: an entry holds while fewer than
    /// <paramref name="maxCount"/> entries are before it, else it watches the entry <paramref name="maxCount"/> places
    /// before it. Entry names carry their creator's maxCount; a line with another is refused after our entry is deleted.
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">No server answered in time (see <see cref="TryAcquireAsync"/>).</exception>
    public async ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        var rules = LineRules.Semaphore(name, maxCount);
        ObjectDisposedException.ThrowIf(_disposed, this);
        wait.ThrowIfCallerCancelled();
        return await RunLineAsync(SemaphoreParentPath(name), _owner, wait, rules, explainNoAuth: true).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="LockStoreUnavailableException">No server answered within the connect (or request) timeout; the message names the servers and the inner <see cref="ZooKeeperException"/> has the code.</exception>
    public async ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ObjectDisposedException.ThrowIf(_disposed, this);
        wait.ThrowIfCallerCancelled();
        return await RunLineAsync(ParentPath(name), _owner, wait, LineRules.Exclusive(), explainNoAuth: true).ConfigureAwait(false);
    }

    /// <summary>
    /// One acquire on the line under <paramref name="parent"/>, configured by <paramref name="rules"/>, with this store as
    /// its host: "cannot reach the ensemble" becomes <see cref="LockStoreUnavailableException"/>, and (where
    /// <paramref name="explainNoAuth"/>, as the lock and the semaphore have always done) "NoAuth" says where and as whom.
    /// </summary>
    private async Task<StoreLease?> RunLineAsync(string parent, byte[] data, LockWait wait, LineRules rules, bool explainNoAuth)
    {
        try
        {
            return await LockAcquisition.RunAsync(this, Line(parent), data, wait, rules).ConfigureAwait(false);
        }
        catch (Exception ex) when (ZooKeeperUnavailable.Is(ex))
        {
            throw ZooKeeperUnavailable.Wrap(_options.Servers, ex);
        }
        catch (ZooKeeperException ex) when (explainNoAuth && ex.Code == ZooKeeperErrorCode.NoAuth)
        {
            throw NotAuthorized(ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="LockStoreUnavailableException">No server answered in time (see <see cref="TryAcquireAsync"/>).</exception>
    public async ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await InspectCoreAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ZooKeeperUnavailable.Is(ex))
        {
            throw ZooKeeperUnavailable.Wrap(_options.Servers, ex);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoAuth)
        {
            throw NotAuthorized(ex);
        }
    }

    private async ValueTask<LockStatus> InspectCoreAsync(string name, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var parent = ParentPath(name);
        List<string> children;
        try
        {
            children = await session.Client.GetChildrenAsync(parent, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return new LockStatus(name, false, Waiters: []);
        }
        var line = new List<(string Owner, Stat Stat)>();
        foreach (var entry in LockNodeNames.Queue(children))
        {
            try
            {
                var (data, stat) = await session.Client.GetDataAsync(ZkPaths.Combine(parent, entry), cancellationToken: cancellationToken).ConfigureAwait(false);
                line.Add((Encoding.UTF8.GetString(data), stat));
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
            {
                // Left the line while we looked.
            }
        }
        if (line.Count == 0) return new LockStatus(name, false, Waiters: []);
        var holder = line[0];
        return new LockStatus(name, true, holder.Stat.Czxid, holder.Owner, DateTimeOffset.FromUnixTimeMilliseconds(holder.Stat.Ctime),
            Waiters: line.Skip(1).Select(w => w.Owner).ToList());
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The line under <c>ROOT/%sem/NAME</c>: the first maxCount entries hold (each entry's name records the maxCount its
    /// creator uses, and that one decides; <paramref name="maxCount"/> only when none does). Tokens are the entries' czxids.
    /// </remarks>
    /// <exception cref="LockStoreUnavailableException">No server answered in time.</exception>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
        => InspectLineAsync(name, SemaphoreParentPath, LinePolicy.Semaphore(maxCount), semaphore: true, election: false, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The line under <c>ROOT/%rw/NAME</c>: each entry's name says read or write; a writer holds when first, a reader when no writer is below it.</remarks>
    /// <exception cref="LockStoreUnavailableException">No server answered in time.</exception>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
        => InspectLineAsync(name, ReaderWriterParentPath, null, semaphore: false, election: false, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The line under <c>ROOT/%el/NAME</c>: the first entry leads; each entry's data is its value. Owners are not recorded (null).</remarks>
    /// <exception cref="LockStoreUnavailableException">No server answered in time.</exception>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
        => InspectLineAsync(name, ElectionParentPath, LinePolicy.Exclusive, semaphore: false, election: true, cancellationToken);

    private async ValueTask<PrimitiveStatus> InspectLineAsync(string name, Func<string, string> parentOf, LinePolicy? policy, bool semaphore, bool election, CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
            return await ZooKeeperInspector.ReadAsync(session.Client, name, parentOf(name), policy, semaphore, election, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ZooKeeperUnavailable.Is(ex))
        {
            throw ZooKeeperUnavailable.Wrap(_options.Servers, ex);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoAuth)
        {
            throw NotAuthorized(ex);
        }
    }

    // The server says only "NoAuth": the message adds where and as whom, never the password.
    private ZooKeeperException NotAuthorized(ZooKeeperException ex)
        => new(ZooKeeperErrorCode.NoAuth,
            $"the ACL under {_options.Root} on {string.Join(",", _options.Servers)} refuses this client ({(_options.User is { } user ? $"digest user '{user}'" : "no credentials")}). Check the user and password (zk://user:password@host/root, percent-encoded) and the root's ACL.", ex);

    /// <summary>The store's session, connecting (or replacing an expired one) when needed.</summary>
    internal async Task<LockSession> GetSessionAsync(CancellationToken cancellationToken)
    {
        if (_session is { IsUsable: true } current) return current;
        await _sessionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { IsUsable: true } again) return again;
            var old = _session;
            var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
            {
                ConnectString = string.Join(",", _options.Servers),
                SessionTimeout = _options.SessionTimeout,
                ConnectTimeout = _options.ConnectTimeout,
                RequestTimeout = _options.RequestTimeout,
                Time = Time,
                DigestAuth = _options.User is { } user ? [$"{user}:{_options.Password}"] : [],
                Tls = _tls,
            }, _logger, cancellationToken).ConfigureAwait(false);
            _session = new LockSession(client, _options.DisconnectLossFraction, Time, _logger);
            if (old is not null) await old.DisposeAsync().ConfigureAwait(false);
            return _session;
        }
        finally
        {
            _sessionGate.Release();
        }
    }

    /// <summary>
    /// Creates the parent's ancestors (persistent: the root, and <c>%sem</c> or <c>%rw</c> for semaphores and reader-writer
    /// locks) and the parent (a container) when missing. With digest credentials they admit only that identity: creating
    /// and deleting entries needs the parent's permission, so another identity can neither join a line nor delete a
    /// holder's entry.
    /// </summary>
    internal async Task EnsureParentAsync(ZooKeeperClient client, string parent, CancellationToken cancellationToken)
    {
        var acl = _options.User is { } user ? [Acl.Digest(user, _options.Password!)] : Acl.Open;
        try
        {
            await client.Create2Async(parent, null, CreateMode.Container, acl, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NodeExists)
        {
            return;
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            // An ancestor is missing: create them, level by level.
        }
        var path = "";
        foreach (var segment in parent[..parent.LastIndexOf('/')].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path += "/" + segment;
            try
            {
                await client.CreateAsync(path, null, CreateMode.Persistent, acl, cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NodeExists)
            {
            }
        }
        try
        {
            await client.Create2Async(parent, null, CreateMode.Container, acl, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NodeExists)
        {
        }
    }

    /// <summary>The line under <paramref name="parent"/>: the recipe's view of its entries.</summary>
    private ZooKeeperLine Line(string parent) => new(parent, _deleter, EnsureParentAsync);

    // The entry-name prefixes (one GUID each) of the acquisitions under way in this store.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _acquiring = new(StringComparer.Ordinal);

    IDisposable IZooKeeperLineHost.BeginAcquisition(string prefix)
    {
        _acquiring[prefix] = 0;
        return new Acquiring(_acquiring, prefix);
    }

    private sealed class Acquiring(System.Collections.Concurrent.ConcurrentDictionary<string, byte> acquiring, string prefix) : IDisposable
    {
        public void Dispose() => acquiring.TryRemove(prefix, out _);
    }

    async ValueTask<StoreLease> IZooKeeperLineHost.AdmitAsync(ZooKeeperLease lease)
        => await _held.AdmitAsync(lease, () => new ObjectDisposedException(nameof(ZooKeeperLockStore))).ConfigureAwait(false);

    bool IZooKeeperLineHost.IsLiveEntry(string leaf)
    {
        foreach (var prefix in _acquiring.Keys)
        {
            if (leaf.StartsWith(prefix, StringComparison.Ordinal)) return true;
        }
        return _held.Snapshot().Any(h => h is ZooKeeperLease z && z.Leaf == leaf);
    }

    Task<LockSession> IZooKeeperLineHost.GetSessionAsync(CancellationToken cancellationToken) => GetSessionAsync(cancellationToken);

    TimeProvider IZooKeeperLineHost.Time => Time;

    TimeSpan IZooKeeperLineHost.RecheckInterval => LineRecheckInterval;

    ILogger IZooKeeperLineHost.Logger => _logger;

    /// <summary>Releases every hold of this store (their lost tokens fire) and closes the session.</summary>
    public async ValueTask DisposeAsync()
    {
        await _sessionGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            await _held.CloseAsync().ConfigureAwait(false);
            if (_session is not null) await _session.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _sessionGate.Release();
        }
    }
}
