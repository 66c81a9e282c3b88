using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Acquiring a lock, a reader-writer side or an election (<see cref="AdvisoryGrant"/>): one dedicated connection per
/// attempt (for a lock or reader-writer side one the store kept from an earlier hold when it has one, see
/// <see cref="IdleSessions"/>), and in one round trip one try of the advisory lock (shared for a reader) and, when it
/// was free, the committed token (on a connection fresh from the pool, the session settings first). A waiter then waits
/// inside <c>pg_advisory_lock</c> (or <c>_shared</c>), in the server's lock queue (first come, first served, no
/// polling; a shared request queues behind a waiting exclusive one); timeout, cancellation and the store's disposal
/// cancel that query, and the connection goes back to the pool with every advisory lock of its session freed, so
/// nothing is left behind.
/// </summary>
internal static class AdvisoryWait
{
    public static async ValueTask<StoreLease?> TryAcquireAsync(PostgresLockStore store, AdvisoryGrant grant, LockWait scope)
    {
        var cancellationToken = scope.CancellationToken;
        // Locks and reader-writer sides reuse the store's idle connections; an election's connection carries LISTEN
        // and notifications, and goes back to the pool.
        var keep = grant.Channel is null;
        // Connecting and creating the schema are part of the attempt, not of the wait: bounded by Npgsql's connect
        // timeout and the caller's token, never by a short lock timeout.
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, store.Closing);
        await WhileOpenAsync(store, store.EnsureSchemaAsync(setup.Token)).ConfigureAwait(false);
        var live = new LiveSession((keep ? store.Sessions.TryTake() : null) ?? new LockSession(await OpenAsync(store, setup.Token).ConfigureAwait(false)));
        try
        {
            // The first attempt is never cut short by the timeout (a 1 ms timeout still gets a free lock); the wait in
            // the queue gets what is left of it. pg_try_advisory_lock cannot overtake queued waiters: the server hands a
            // released lock to the first of them at once.
            var token = await OnLiveSessionAsync(store, grant, live, static (st, g, s, ct) => TryOnceAsync(st, s, g, ct), setup.Token).ConfigureAwait(false);
            var session = live.Session;
            if (token is null && !scope.IsSingleAttempt && !scope.TimedOut)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(scope.Token, store.Closing);
                token = await WaitInQueueAsync(store, session, grant, wait.Token).ConfigureAwait(false);
            }
            if (token is null)
            {
                if (keep) await store.Sessions.GiveBackAsync(session).ConfigureAwait(false);
                else await Connections.ReturnAsync(session.Connection, store.Logger, grant.Channel).ConfigureAwait(false);
                return null;
            }
            var hold = new PostgresHold(store, session.Connection, grant.Name, token.Value, grantedAt: store.Time.GetTimestamp(), notify: grant.Channel,
                session: keep ? session : null);
            return await store.TrackAsync(hold).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not kept: a cancel request may still be on its way to the session.
            if (await Connections.EndCancelledWaitAsync(store, live.Session.Connection, grant.Channel, scope).ConfigureAwait(false)) return null;
            throw;
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            await Connections.ReturnAsync(live.Session.Connection, store.Logger, grant.Channel).ConfigureAwait(false);
            throw store.Explain(ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="first"/>, the first statement on <paramref name="live"/>'s session. A connection found dead
    /// there (the server restarted, or the backend was terminated while the connection sat idle, kept by the store or in
    /// the pool) means the other idle ones likely are too: the pool is cleared, the kept sessions dropped, and since
    /// nothing was granted on a dead session, <paramref name="first"/> runs once more on a new physical connection
    /// (which <paramref name="live"/> then holds, for the caller to give back).
    /// </summary>
    private static async Task<T> OnLiveSessionAsync<T>(PostgresLockStore store, AdvisoryGrant grant, LiveSession live,
        Func<PostgresLockStore, AdvisoryGrant, LockSession, CancellationToken, Task<T>> first, CancellationToken ct)
    {
        try
        {
            return await first(store, grant, live.Session, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (live.Session.Connection.State != System.Data.ConnectionState.Open && ex is not OperationCanceledException)
        {
            store.Logger.LogDebug(ex, "An idle PostgreSQL lock connection was broken; clearing the pool and taking a new one");
            await live.Session.Connection.DisposeAsync().ConfigureAwait(false);
            store.DataSource.Clear();
            store.Sessions.Drain();
            live.Session = new LockSession(await OpenAsync(store, ct).ConfigureAwait(false));
            return await first(store, grant, live.Session, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A lock's in-process turn (<see cref="Cohort.AdvisoryCohort"/>): on a kept or new connection, waits in the server's
    /// queue (<c>pg_advisory_lock</c>, behind whoever waits there already) and reserves a batch of tokens with the grant.
    /// </summary>
    /// <returns>The tracked hold (its token the first reserved) and the last reserved token; null when <paramref name="stop"/> ended the wait (nothing left behind).</returns>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public static async Task<(PostgresHold Hold, long Last)?> TurnAsync(PostgresLockStore store, AdvisoryGrant grant, CancellationToken stop)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop, store.Closing);
        LiveSession? live = null;
        try
        {
            await WhileOpenAsync(store, store.EnsureSchemaAsync(wait.Token)).ConfigureAwait(false);
            live = new LiveSession(store.Sessions.TryTake() ?? new LockSession(await OpenAsync(store, wait.Token).ConfigureAwait(false)));
            var last = await OnLiveSessionAsync(store, grant, live, static (st, g, s, ct) => WaitInQueueAsync(st, s, g, ct, reserve: true), wait.Token).ConfigureAwait(false);
            var hold = new PostgresHold(store, live.Session.Connection, grant.Name, last - store.HandOff.Batch + 1, grantedAt: store.Time.GetTimestamp(), session: live.Session);
            return (await store.TrackAsync(hold).ConfigureAwait(false), last);
        }
        catch (OperationCanceledException)
        {
            // Not kept: a cancel request may still be on its way to the session.
            if (live is not null) await Connections.ReturnAsync(live.Session.Connection, store.Logger).ConfigureAwait(false);
            if (store.Closing.IsCancellationRequested) throw new ObjectDisposedException(nameof(PostgresLockStore));
            return null;
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            if (live is not null) await Connections.ReturnAsync(live.Session.Connection, store.Logger).ConfigureAwait(false);
            throw store.Explain(ex);
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(PostgresLockStore store, CancellationToken ct)
    {
        try
        {
            return await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (store.Closing.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(PostgresLockStore));
        }
    }

    private static async Task WhileOpenAsync(PostgresLockStore store, Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (store.Closing.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(PostgresLockStore));
        }
    }

    /// <summary>
    /// <c>pg_advisory_lock</c> (blocks in the server's queue), then the grant statement, committed at the batch's end. On a
    /// session that has not sent anything yet (a turn's), the session settings go first; with <paramref name="reserve"/>
    /// the grant reserves a turn's batch of tokens and returns the last.
    /// </summary>
    private static async Task<long> WaitInQueueAsync(PostgresLockStore store, LockSession session, AdvisoryGrant grant, CancellationToken ct, bool reserve = false)
    {
        var lockSql = grant.Shared ? "SELECT pg_advisory_lock_shared($1)" : "SELECT pg_advisory_lock($1)";
        if (session.Warm && grant.Value is null)
            return await session.WaitGrantAsync(lockSql, store.GrantSql(grant, tryOnce: false, reserve), grant.FenceRow, store.Owner, grant.Key, ct).ConfigureAwait(false);
        var connection = session.Connection;
        // No command timeout (Npgsql's default is 30 s): the wait is bounded by the caller's timeout and token only.
        await using var batch = new NpgsqlBatch(connection) { Timeout = 0 };
        // A turn's fresh connection: nothing was sent on it yet (the try path sent the settings with its try).
        if (reserve) batch.BatchCommands.Add(new NpgsqlBatchCommand(store.SessionSettingsSql));
        var lockCommand = new NpgsqlBatchCommand(lockSql);
        lockCommand.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = grant.Key });
        batch.BatchCommands.Add(lockCommand);
        batch.BatchCommands.Add(Grant(store, grant, tryOnce: false, reserve));
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (reserve) await reader.NextResultAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) throw new InvalidOperationException("The fencing upsert returned no row.");
        return reader.GetInt64(0);
    }

    /// <summary>
    /// One try of the advisory lock that writes the token only when it took the lock: on a warm session the prepared
    /// statement alone, else with the session settings in front.
    /// </summary>
    private static async Task<long?> TryOnceAsync(PostgresLockStore store, LockSession session, AdvisoryGrant grant, CancellationToken ct)
    {
        if (session.Warm && grant.Value is null)
            return await session.TryGrantAsync(store.GrantSql(grant, tryOnce: true), grant.FenceRow, store.Owner, grant.Key, ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(session.Connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(store.SessionSettingsSql));
        var attempt = Grant(store, grant, tryOnce: true);
        attempt.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = grant.Key });
        batch.BatchCommands.Add(attempt);
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetInt64(0) : null;
    }

    private static NpgsqlBatchCommand Grant(PostgresLockStore store, AdvisoryGrant grant, bool tryOnce, bool reserve = false)
    {
        var command = new NpgsqlBatchCommand(store.GrantSql(grant, tryOnce, reserve));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = grant.FenceRow });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = store.Owner });
        if (grant.Value is { } value) command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = value });
        return command;
    }

    /// <summary>The session an attempt runs on: replaced by a new one when the first was found dead (see <see cref="OnLiveSessionAsync"/>).</summary>
    private sealed class LiveSession(LockSession session)
    {
        public LockSession Session { get; set; } = session;
    }
}
