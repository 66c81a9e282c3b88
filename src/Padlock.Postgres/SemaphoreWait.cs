using Npgsql;
using NpgsqlTypes;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// A semaphore permit: maxCount advisory-lock slots per name, taken on a dedicated connection held for the permit.
/// Entering checks maxCount under a transaction-level gate; then the caller takes the name's line lock (waiting in the
/// server's FIFO lock queue), tries the slots and, in the same committed statement, raises the fencing counter and
/// leaves the line. The head of the line, finding every slot taken, LISTENs and waits for a release's NOTIFY, with a
/// bounded re-check for a holder whose session died without one. Timeout, cancellation and disposal give the
/// connection back with every lock of its session freed, so nothing is left behind.
/// </summary>
internal static class SemaphoreWait
{
    /// <summary>How long the head waiter goes without trying the slots when no notification came (a holder's session ended).</summary>
    internal static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    public static async ValueTask<StoreLease?> TryAcquireAsync(PostgresLockStore store, string name, int maxCount, LockWait scope)
    {
        var keys = new SemaphoreKeys(name, maxCount);
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(scope.CancellationToken, store.Closing);
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
            var inLine = await EnterAsync(store, connection, keys, name, maxCount, setup.Token).ConfigureAwait(false);
            long? token = null;
            if (inLine)
            {
                token = await TrySlotsAsync(store, connection, keys, listen: false, setup.Token).ConfigureAwait(false);
            }
            if (token is null && !scope.IsSingleAttempt && !scope.TimedOut)
            {
                if (!inLine) await ExecuteAsync(connection, "SELECT pg_advisory_lock($1)", keys.Line, wait.Token).ConfigureAwait(false);
                // The head of the line: listen first, so a release between the try and the wait still wakes us.
                var listen = true;
                while ((token = await TrySlotsAsync(store, connection, keys, listen, wait.Token).ConfigureAwait(false)) is null)
                {
                    listen = false;
                    await connection.WaitAsync(Recheck, wait.Token).ConfigureAwait(false);
                }
            }
            if (token is null)
            {
                await Connections.ReturnAsync(connection, store.Logger, keys.Channel).ConfigureAwait(false);
                return null;
            }
            var hold = new PostgresHold(store, connection, name, token.Value, grantedAt: store.Time.GetTimestamp(), notify: keys.Channel);
            return await store.TrackAsync(hold).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (await Connections.EndCancelledWaitAsync(store, connection, keys.Channel, scope).ConfigureAwait(false)) return null;
            throw;
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            await Connections.ReturnAsync(connection, store.Logger, keys.Channel).ConfigureAwait(false);
            throw ex is SemaphoreCountMismatchException ? ex : store.Explain(ex);
        }
    }

    /// <summary>
    /// Under the gate (one transaction): alone on the name (the users key is free exclusively) → the name takes this
    /// maxCount; otherwise it must equal the stored one. Then the users key is held shared, the transaction commits,
    /// and one try of the line lock follows: true when we hold the line (nobody waits ahead).
    /// </summary>
    /// <exception cref="SemaphoreCountMismatchException">Others use the name with another maxCount (nothing is taken).</exception>
    private static async Task<bool> EnterAsync(PostgresLockStore store, NpgsqlConnection connection, SemaphoreKeys keys, string name, int maxCount,
        CancellationToken ct)
    {
        await using (var begin = new NpgsqlCommand(store.SessionSettingsSql + "; BEGIN", connection))
            await begin.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        bool alone;
        long? stored;
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(Command("SELECT 'gate', pg_advisory_xact_lock($1)::text", keys.Gate));
            batch.BatchCommands.Add(Command("SELECT 'alone', pg_try_advisory_lock($1)::text", keys.Users));
            var read = new NpgsqlBatchCommand($"SELECT 'count', token::text FROM {store.Table.Name} WHERE name = $1");
            read.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = keys.CountRow });
            batch.BatchCommands.Add(read);
            var rows = await ReadTaggedAsync(batch, ct).ConfigureAwait(false);
            alone = rows["alone"] == "true";
            stored = rows.TryGetValue("count", out var c) ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) : null;
        }
        if (!alone && stored is { } inUse && inUse != maxCount)
            throw new SemaphoreCountMismatchException(name, maxCount, (int)inUse);
        await using (var batch = new NpgsqlBatch(connection))
        {
            if (alone || stored is null)
            {
                // Nobody holds or waits (or the row is gone): the name takes this client's count.
                if (alone) batch.BatchCommands.Add(Command("SELECT 'free', pg_advisory_unlock($1)::text", keys.Users));
                var upsert = new NpgsqlBatchCommand(
                    $"INSERT INTO {store.Table.Name} (name, token, owner, granted_at) VALUES ($1, $2, $3, now()) ON CONFLICT (name) DO UPDATE SET token = excluded.token, owner = excluded.owner, granted_at = excluded.granted_at");
                upsert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = keys.CountRow });
                upsert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (long)maxCount });
                upsert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = store.Owner });
                batch.BatchCommands.Add(upsert);
            }
            batch.BatchCommands.Add(Command("SELECT 'user', pg_advisory_lock_shared($1)::text", keys.Users));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            batch.BatchCommands.Add(Command("SELECT 'line', pg_try_advisory_lock($1)::text", keys.Line));
            var rows = await ReadTaggedAsync(batch, ct).ConfigureAwait(false);
            return rows["line"] == "true";
        }
    }

    /// <summary>
    /// The head of the line tries the slots: the first free one is taken, the fencing counter raised and the line left,
    /// all in one statement committed before it answers. Null (still holding the line) when every slot is taken.
    /// </summary>
    private static async Task<long?> TrySlotsAsync(PostgresLockStore store, NpgsqlConnection connection, SemaphoreKeys keys, bool listen, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (listen) batch.BatchCommands.Add(new NpgsqlBatchCommand($"LISTEN {keys.Channel}"));
        // EXISTS stops at the first slot taken; pg_try_advisory_lock is volatile, so it is called in order, no further.
        var grant = new NpgsqlBatchCommand(
            $"WITH g AS (INSERT INTO {store.Table.Name} AS f (name, token, owner, granted_at) SELECT $1, 1, $2, now() " +
            "WHERE EXISTS (SELECT 1 FROM unnest($3::bigint[]) AS s(k) WHERE pg_try_advisory_lock(s.k)) " +
            "ON CONFLICT (name) DO UPDATE SET token = f.token + 1, owner = excluded.owner, granted_at = excluded.granted_at RETURNING token) " +
            "SELECT 'token', token::text, pg_advisory_unlock($4) FROM g");
        grant.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = keys.FenceRow });
        grant.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = store.Owner });
        grant.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = keys.Slots });
        grant.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = keys.Line });
        batch.BatchCommands.Add(grant);
        var rows = await ReadTaggedAsync(batch, ct).ConfigureAwait(false);
        return rows.TryGetValue("token", out var t) ? long.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, long key, CancellationToken ct)
    {
        // Waiting in the line: no command timeout (Npgsql's default is 30 s), only the caller's timeout and token.
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = key });
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand Command(string sql, long key)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = key });
        return command;
    }

    // Every row-returning statement of these batches starts with a text tag: read them all, whichever statements the
    // reader skips (those that return no rows).
    private static async Task<Dictionary<string, string>> ReadTaggedAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        do
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (reader.FieldCount >= 2 && !reader.IsDBNull(0)) rows[reader.GetString(0)] = reader.IsDBNull(1) ? "" : reader.GetString(1);
            }
        }
        while (await reader.NextResultAsync(ct).ConfigureAwait(false));
        return rows;
    }
}
