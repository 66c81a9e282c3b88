using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Padlock.Postgres.Cohort;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Locks in a PostgreSQL database (<c>postgres://host:5432/database</c>): each hold is a session advisory lock on a
/// connection of its own, kept for the hold; waiters wait in the server's lock queue; fencing tokens come from a
/// committed counter row per name (see docs/stores/postgres.md for the design and its costs).
/// </summary>
public sealed class PostgresLockStore : ILockStore, ILockInspector, IPrimitiveInspector, ISemaphoreStore, IReaderWriterLockStore, IElectionStore
{
    private readonly HeldLeases _held = new();
    private readonly Dictionary<string, AdvisoryCohort> _cohorts = new(StringComparer.Ordinal);
    private readonly Action<AdvisoryCohort> _retire;
    private readonly CancellationTokenSource _closing = new();
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private readonly string?[] _grantSql = new string?[5];
    private readonly bool _ownsDataSource;
    private readonly bool _createSchema;
    private volatile bool _schemaReady;
    private int _disposed;

    /// <summary>Creates the store; nothing is contacted until the first lock is requested.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message says what is allowed).</exception>
    public PostgresLockStore(PostgresLockOptions options, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        context ??= StoreContext.Default;
        Time = context.TimeProvider;
        Logger = context.LoggerFactory.CreateLogger("Padlock.Postgres");
        Owner = context.OwnerDescription;
        Table = new FencingTable(options.Table);
        _createSchema = options.CreateSchema;
        Lease = options.Lease;
        KeepAliveInterval = options.Lease / 5;
        SilenceLimit = options.Lease * 2 / 3;
        var seconds = (int)options.Lease.TotalSeconds;
        // The server ends the session of a client that stops answering TCP keep-alives after about the lease (half of it
        // idle, then three probes a sixth apart), or whose unacknowledged data waits the lease: the lock is then freed.
        SessionSettingsSql = string.Create(CultureInfo.InvariantCulture,
            $"SELECT set_config('tcp_keepalives_idle', '{seconds / 2}', false), set_config('tcp_keepalives_interval', '{Math.Max(1, seconds / 6)}', false), set_config('tcp_keepalives_count', '3', false), set_config('tcp_user_timeout', '{seconds * 1000}', false)");
        if (options.DataSource is { } given)
        {
            DataSource = given;
        }
        else
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "padlock " + Owner;
            DataSource = NpgsqlDataSource.Create(builder.ConnectionString);
            _ownsDataSource = true;
        }
        Sessions = new IdleSessions(this, IdleSessions.BoundFor(DataSource.ConnectionString));
        HandOff = new HandOffPolicy(options.HandOffSlice, options.HandOffBatch);
        _retire = Retire;
    }

    /// <inheritdoc/>
    public string Kind => "postgres";

    /// <summary>The data source (connection pool) locks take their connections from.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>See <see cref="PostgresLockOptions.Lease"/>.</summary>
    public TimeSpan Lease { get; }

    /// <summary>
    /// The SQL that creates the fencing counter table <paramref name="table"/> and its unlogged companion
    /// <c>TABLE_live</c> (the token blocks opened since the server's last crash recovery), and adds the election columns
    /// (<c>value</c>, <c>pid</c>) to a counter table made before them (what <c>padlock postgres init</c> runs). Three statements.
    /// </summary>
    /// <exception cref="ArgumentException">The table name is not a plain <c>table</c> or <c>schema.table</c>.</exception>
    public static string SchemaSql(string table = "padlock_fencing")
    {
        var sql = new FencingTable(table);
        return sql.Create + ";\n" + sql.CreateLive + ";\n" + sql.AddElectionColumns;
    }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal string Owner { get; }

    internal FencingTable Table { get; }

    internal TimeSpan KeepAliveInterval { get; }

    internal TimeSpan SilenceLimit { get; }

    internal string SessionSettingsSql { get; }

    /// <summary>How long a lock's in-process turn lasts (<see cref="PostgresLockOptions.HandOffSlice"/>, <see cref="PostgresLockOptions.HandOffBatch"/>).</summary>
    internal HandOffPolicy HandOff { get; }

    internal CancellationToken Closing => _closing.Token;

    /// <summary>The lock connections kept open between holds.</summary>
    internal IdleSessions Sessions { get; }

    /// <summary>
    /// The grant statement of <paramref name="grant"/> (<see cref="FencingTable.Grant"/>), made once per kind for locks
    /// and reader-writer sides (it depends only on shared or not and try-once or not once the schema is known).
    /// </summary>
    /// <param name="grant">What is granted.</param>
    /// <param name="tryOnce">The statement tries the advisory lock itself.</param>
    /// <param name="reserve">A lock's in-process turn: the grant reserves <see cref="HandOffPolicy.Batch"/> tokens.</param>
    internal string GrantSql(AdvisoryGrant grant, bool tryOnce, bool reserve = false)
    {
        if (grant.Value is not null) return Table.Grant(grant, tryOnce, TokenBlocks);
        if (reserve) return _grantSql[4] ??= Table.Grant(grant, tryOnce: false, TokenBlocks, HandOff.Batch);
        var index = (grant.Shared ? 1 : 0) + (tryOnce ? 2 : 0);
        return _grantSql[index] ??= Table.Grant(grant, tryOnce, TokenBlocks);
    }

    /// <summary>The holds of this store now (for tests).</summary>
    internal IReadOnlyList<PostgresHold> Holds => [.. _held.Snapshot().Cast<PostgresHold>()];

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return AcquireLockAsync(name, wait);
    }

    // Callers of this store that want one name share its hold (see Cohort/AdvisoryCohort).
    private async ValueTask<StoreLease?> AcquireLockAsync(string name, LockWait wait)
    {
        while (true)
        {
            var cohort = CohortFor(name);
            switch (cohort.Enter(!wait.IsSingleAttempt, out var node))
            {
                case LocalLine<CohortHold>.Entry.Attempt: return await cohort.AttemptAsync(wait).ConfigureAwait(false);
                case LocalLine<CohortHold>.Entry.Queued: return await cohort.WaitQueuedAsync(node!, wait).ConfigureAwait(false);
                case LocalLine<CohortHold>.Entry.Refused: return null;
                default: continue; // retired between lookup and entry
            }
        }
    }

    private AdvisoryCohort CohortFor(string name)
    {
        lock (_cohorts)
        {
            // Checked under the registry's lock: a cohort made after disposal took its list would never be disposed.
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
            if (!_cohorts.TryGetValue(name, out var cohort)) _cohorts[name] = cohort = new AdvisoryCohort(this, name, _retire);
            return cohort;
        }
    }

    // An idle cohort leaves the registry, so a store that touched many names keeps nothing for them.
    private void Retire(AdvisoryCohort cohort)
    {
        lock (_cohorts)
        {
            if (_cohorts.TryGetValue(cohort.Name, out var current) && current == cohort && cohort.TryRetire()) _cohorts.Remove(cohort.Name);
        }
    }

    /// <summary>How many callers of this store wait in its local line for lock <paramref name="name"/> (tests).</summary>
    internal int LocalWaiters(string name)
    {
        AdvisoryCohort? cohort;
        lock (_cohorts) _cohorts.TryGetValue(name, out cohort);
        return cohort?.LocalWaiterCount ?? 0;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A shared (read) or exclusive (write) session advisory lock of the name's reader-writer key on a dedicated
    /// connection; the server's lock queue is FIFO and queues a reader behind a waiting writer (see
    /// docs/stores/postgres.md, Reader-writer locks).
    /// </remarks>
    public ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        if (mode is not (LockMode.Read or LockMode.Write))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "A reader-writer lock is taken in LockMode.Read or LockMode.Write.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return AdvisoryWait.TryAcquireAsync(this, AdvisoryGrant.ReaderWriter(name, mode == LockMode.Read), wait);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An exclusive advisory lock of the election's key, waited for in the server's FIFO queue; the grant writes the
    /// term, the value and the holder's backend pid into the election's row (see docs/stores/postgres.md, Elections).
    /// A value containing U+0000 is refused (<see cref="ArgumentException"/>): PostgreSQL text cannot hold it.
    /// </remarks>
    public ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return PostgresElection.CampaignAsync(this, name, value, wait);
    }

    /// <inheritdoc/>
    public ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        if (leadership is not PostgresHold)
            throw new ArgumentException("The leadership was not granted by a postgres:// store.", nameof(leadership));
        return PostgresElection.ProclaimAsync(this, name, leadership, value, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return PostgresElection.GetLeaderAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return PostgresElection.ObserveAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A permit is one of maxCount advisory-lock slots of the name, held on a dedicated connection; waiters line up in
    /// the server's lock queue and the head is woken by NOTIFY (see docs/stores/postgres.md, Semaphores).
    /// </remarks>
    public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return SemaphoreWait.TryAcquireAsync(this, name, maxCount, wait);
    }

    /// <inheritdoc/>
    public ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return PostgresInspector.InspectAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// From <c>pg_locks</c>: the backends holding the name's slot keys, then the head of the line and the backends queued
    /// for it, in the order they began waiting. The slots looked at are those of the maxCount the name is in use with
    /// (<paramref name="maxCount"/> only when none is recorded). Permits' tokens are not kept per holder (null).
    /// </remarks>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        if (maxCount is < 1 or > SemaphoreLimits.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be from 1 to {SemaphoreLimits.MaxCount}.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return PostgresPrimitiveInspector.SemaphoreAsync(this, name, maxCount, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>From <c>pg_locks</c>: shared holders are readers, an exclusive one the writer (with its token); waiters in the order they began waiting.</remarks>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return PostgresPrimitiveInspector.ReaderWriterAsync(this, name, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>From <c>pg_locks</c> and the election's row: the leader with its value and term; campaigners in the order they began waiting (their values are written only when elected: null).</remarks>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return PostgresPrimitiveInspector.ElectionAsync(this, name, cancellationToken);
    }

    /// <summary>
    /// Grants use token blocks (<see cref="FencingTable"/>): true unless schema creation is off and the unlogged
    /// <c>_live</c> table is missing (a table made before it), when every grant commits with the server's setting.
    /// </summary>
    internal bool TokenBlocks { get; private set; } = true;

    internal async Task EnsureSchemaAsync(CancellationToken ct)
    {
        if (_schemaReady) return;
        await _schemaGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_schemaReady) return;
            if (!_createSchema)
            {
                await using var probe = DataSource.CreateCommand($"SELECT to_regclass('{Table.Live.Replace("'", "''", StringComparison.Ordinal)}') IS NOT NULL");
                TokenBlocks = await probe.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
                if (!TokenBlocks)
                    Logger.LogWarning("The unlogged table {Live} is missing (createschema is off): every grant commits its token synchronously. Create it with 'padlock postgres init' or: {Sql}", Table.Live, Table.CreateLive);
                _schemaReady = true;
                return;
            }
            await using var command = DataSource.CreateCommand(Table.Create + "; " + Table.CreateLive);
            try
            {
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable
                or PostgresErrorCodes.DuplicateObject)
            {
                // Another client created it at the same moment: IF NOT EXISTS does not cover that race, and the loser
                // sees a unique violation on the catalog, "table exists" or "type exists" (the table's row type, 42710,
                // seen in CI when two providers of the contract suite started at once).
            }
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <summary>A clearer error for a missing table when schema creation is off.</summary>
    internal Exception Explain(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UndefinedTable }
            => new InvalidOperationException($"The fencing table {Table.Name} or its unlogged companion {Table.Live} does not exist and createschema is off: create them with 'padlock postgres init' or: {Table.Create}; {Table.CreateLive}", ex),
        PostgresException { SqlState: PostgresErrorCodes.UndefinedColumn }
            => new InvalidOperationException($"The fencing table {Table.Name} was made before elections (no value and pid columns): add them with 'padlock postgres init' or: {Table.AddElectionColumns}", ex),
        _ => ex,
    };

    /// <summary>Keeps a new hold for disposal; a grant racing with disposal is given back and ObjectDisposedException thrown.</summary>
    internal ValueTask<PostgresHold> TrackAsync(PostgresHold hold)
        => _held.AdmitAsync(hold, static () => new ObjectDisposedException(nameof(PostgresLockStore)));

    /// <summary>Fails the waits of this store, releases every lock it holds (they report themselves lost) and closes its own pool.</summary>
    public async ValueTask DisposeAsync()
    {
        AdvisoryCohort[] cohorts;
        lock (_cohorts)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            cohorts = [.. _cohorts.Values];
        }
        await _closing.CancelAsync().ConfigureAwait(false);
        foreach (var cohort in cohorts) await cohort.DisposeAsync().ConfigureAwait(false);
        await _held.CloseAsync().ConfigureAwait(false);
        Sessions.Close();
        if (_ownsDataSource) await DataSource.DisposeAsync().ConfigureAwait(false);
    }
}
