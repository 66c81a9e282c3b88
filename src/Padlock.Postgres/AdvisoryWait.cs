using Npgsql;
using NpgsqlTypes;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Acquiring a lock, a reader-writer side or an election (<see cref="AdvisoryGrant"/>): one dedicated connection per
/// attempt, and in one round trip the session settings, one try of the advisory lock (shared for a reader) and, when
/// it was free, the committed token. A waiter then waits inside <c>pg_advisory_lock</c> (or <c>_shared</c>), in the
/// server's lock queue (first come, first served, no polling; a shared request queues behind a waiting exclusive one);
/// timeout, cancellation and the store's disposal cancel that query, and the connection goes back to the pool with
/// every advisory lock of its session freed, so nothing is left behind.
/// </summary>
internal static class AdvisoryWait
{
    public static async ValueTask<StoreLease?> TryAcquireAsync(PostgresLockStore store, AdvisoryGrant grant, LockWait scope)
    {
        var cancellationToken = scope.CancellationToken;
        // Connecting and creating the schema are part of the attempt, not of the wait: bounded by Npgsql's connect
        // timeout and the caller's token, never by a short lock timeout.
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, store.Closing);
        NpgsqlConnection connection;
        try
        {
            await store.EnsureSchemaAsync(setup.Token).ConfigureAwait(false);
            connection = await store.DataSource.OpenConnectionAsync(setup.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (store.Closing.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(PostgresLockStore));
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(scope.Token, store.Closing);
        try
        {
            // The first attempt is never cut short by the timeout (a 1 ms timeout still gets a free lock); the wait in
            // the queue gets what is left of it. pg_try_advisory_lock cannot overtake queued waiters: the server hands a
            // released lock to the first of them at once.
            var token = await TryOnceAsync(store, connection, grant, setup.Token).ConfigureAwait(false);
            if (token is null && !scope.IsSingleAttempt && !scope.TimedOut)
                token = await WaitInQueueAsync(store, connection, grant, wait.Token).ConfigureAwait(false);
            if (token is null)
            {
                await Connections.ReturnAsync(connection, store.Logger, grant.Channel).ConfigureAwait(false);
                return null;
            }
            var hold = new PostgresHold(store, connection, grant.Name, token.Value, grantedAt: store.Time.GetTimestamp(), notify: grant.Channel);
            return await store.TrackAsync(hold).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (await Connections.EndCancelledWaitAsync(store, connection, grant.Channel, scope).ConfigureAwait(false)) return null;
            throw;
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            await Connections.ReturnAsync(connection, store.Logger, grant.Channel).ConfigureAwait(false);
            throw store.Explain(ex);
        }
    }

    /// <summary><c>pg_advisory_lock</c> (blocks in the server's queue), then the grant statement, committed at the batch's end.</summary>
    private static async Task<long?> WaitInQueueAsync(PostgresLockStore store, NpgsqlConnection connection, AdvisoryGrant grant, CancellationToken ct)
    {
        // No command timeout (Npgsql's default is 30 s): the wait is bounded by the caller's timeout and token only.
        await using var batch = new NpgsqlBatch(connection) { Timeout = 0 };
        var lockCommand = new NpgsqlBatchCommand(grant.Shared ? "SELECT pg_advisory_lock_shared($1)" : "SELECT pg_advisory_lock($1)");
        lockCommand.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = grant.Key });
        batch.BatchCommands.Add(lockCommand);
        batch.BatchCommands.Add(Grant(store, grant, tryOnce: false));
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) throw new InvalidOperationException("The fencing upsert returned no row.");
        return reader.GetInt64(0);
    }

    /// <summary>Settings; one try of the advisory lock that writes the token only when it took the lock.</summary>
    private static async Task<long?> TryOnceAsync(PostgresLockStore store, NpgsqlConnection connection, AdvisoryGrant grant, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(store.SessionSettingsSql));
        var attempt = Grant(store, grant, tryOnce: true);
        attempt.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = grant.Key });
        batch.BatchCommands.Add(attempt);
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetInt64(0) : null;
    }

    private static NpgsqlBatchCommand Grant(PostgresLockStore store, AdvisoryGrant grant, bool tryOnce)
    {
        var command = new NpgsqlBatchCommand(store.Table.Grant(grant, tryOnce, store.TokenBlocks));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = grant.FenceRow });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = store.Owner });
        if (grant.Value is { } value) command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = value });
        return command;
    }
}
