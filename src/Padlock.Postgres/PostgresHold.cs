using Microsoft.Extensions.Logging;
using Npgsql;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// A granted lock: the session advisory lock held by one dedicated connection, and the token its grant committed. The
/// whole lifecycle of a hold is here: a keep-alive (<c>SELECT 1</c> every fifth of the lease) that reports the hold lost
/// when the connection fails, a silence check when <see cref="StoreLease.LostToken"/> is read, and the release (unlock, then the
/// connection kept for the next grant, <see cref="IdleSessions"/>, or back to the pool). A release after a loss is harmless: it only ever unlocks its own session.
/// </summary>
internal sealed class PostgresHold : StoreLease
{
    private readonly PostgresLockStore _store;
    private readonly NpgsqlConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1); // one command at a time on the connection
    private readonly ITimer _keepAlive;
    private int _checking; // 1 while a keep-alive runs: a slow one is not overtaken by the next tick
    private volatile bool _released;
    private readonly string? _notify;
    private readonly LockSession? _session;
    private long _confirmed;

    /// <summary>Starts the keep-alive of a granted hold.</summary>
    /// <param name="store">The store (clock, logger, lease).</param>
    /// <param name="connection">The dedicated connection holding the advisory lock.</param>
    /// <param name="name">The lock or semaphore name.</param>
    /// <param name="token">The committed fencing token.</param>
    /// <param name="grantedAt">Timestamp of the grant.</param>
    /// <param name="notify">For a semaphore permit: the channel its release notifies (see <see cref="Connections.ReturnAsync"/>).</param>
    /// <param name="session">For a lock or reader-writer side: the kept session of <paramref name="connection"/>, given back to the store's idle sessions on a clean release.</param>
    public PostgresHold(PostgresLockStore store, NpgsqlConnection connection, string name, long token, long grantedAt, string? notify = null, LockSession? session = null)
    {
        _notify = notify;
        _session = session;
        _store = store;
        _connection = connection;
        Name = name;
        FencingToken = token;
        BackendPid = connection.ProcessID;
        _confirmed = grantedAt;
        // A timer rather than a loop of delays: a release then costs no cancelled delay (an exception per hold).
        _keepAlive = store.Time.CreateTimer(static s => _ = ((PostgresHold)s!).KeepAliveAsync(), this, store.KeepAliveInterval, store.KeepAliveInterval);
    }

    public override long FencingToken { get; }

    /// <summary>
    /// A keep-alive must have succeeded within two thirds of the lease: a holder resuming from a pause (its timers late)
    /// sees the loss before the server, which frees the lock only after about the whole lease, can.
    /// </summary>
    protected override void CheckDeadline()
    {
        if (_store.Time.GetElapsedTime(Volatile.Read(ref _confirmed)) > _store.SilenceLimit) MarkLost();
    }

    internal string Name { get; }

    /// <summary>The server process id of the holding session (for tests and inspection).</summary>
    internal int BackendPid { get; }

    private async Task KeepAliveAsync()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1) return;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_released) return;
            var sent = _store.Time.GetTimestamp();
            using var timeout = new CancellationTokenSource(_store.KeepAliveInterval, _store.Time);
            await using var command = new NpgsqlCommand("SELECT 1", _connection);
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            Volatile.Write(ref _confirmed, sent);
        }
        catch (Exception ex)
        {
            _store.Logger.LogWarning(ex, "The PostgreSQL connection holding lock '{Name}' failed; the hold is lost", Name);
            MarkLost();
        }
        finally
        {
            _gate.Release();
            Volatile.Write(ref _checking, 0);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the holding connection, one command at a time with the keep-alive.</summary>
    /// <exception cref="ObjectDisposedException">The hold was released.</exception>
    internal async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_released, this);
            return await action(_connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async ValueTask ReleaseCoreAsync()
    {
        _released = true;
        await _keepAlive.DisposeAsync().ConfigureAwait(false);
        // A keep-alive already running finishes first; one that starts later finds the hold released and sends nothing.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // A lost hold's connection may have a cancelled keep-alive behind it (a stray cancel request): not kept.
            if (_session is not null && !IsLost) await _store.Sessions.GiveBackAsync(_session).ConfigureAwait(false);
            else await Connections.ReturnAsync(_connection, _store.Logger, _notify).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
