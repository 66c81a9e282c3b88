using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Leader election: a campaign is an exclusive advisory lock of the election's key, waited for in the server's FIFO
/// lock queue, whose grant writes the term (the fencing counter), the value and the holder's backend pid into the
/// election's row and notifies the election's channel, all committed before the grant returns. The leader is the row
/// whose pid holds the key in <c>pg_locks</c>, so a leader whose session ended is nobody at once. A proclaim runs on
/// the leader's own connection, guarded by term and pid. Observers LISTEN and read again on every notification (grant,
/// proclaim, release) and at least every <see cref="Recheck"/> (a session that died notifies nobody).
/// </summary>
internal static class PostgresElection
{
    /// <summary>How long an observer goes without reading when no notification came (a leader's session ended).</summary>
    internal static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    public static ValueTask<StoreLease?> CampaignAsync(PostgresLockStore store, string name, string value, LockWait wait)
    {
        CheckValue(value, nameof(value));
        return AdvisoryWait.TryAcquireAsync(store, AdvisoryGrant.Election(name, value), wait);
    }

    public static async ValueTask ProclaimAsync(PostgresLockStore store, string name, StoreLease leadership, string value, CancellationToken ct)
    {
        CheckValue(value, nameof(value));
        var hold = (PostgresHold)leadership;
        var channel = AdvisoryGrant.ChannelOf(AdvisoryKey.Of(AdvisoryGrant.ElectionRow(name)));
        var sql = $"WITH u AS (UPDATE {store.Table.Name} SET value = $1 WHERE name = $2 AND token = $3 AND pid = pg_backend_pid() RETURNING token) " +
                  $"SELECT token, pg_notify('{channel}', '')::text FROM u";
        bool written;
        try
        {
            written = await hold.RunAsync(async (connection, token) =>
            {
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = value });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = AdvisoryGrant.ElectionRow(name) });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = hold.FencingToken });
                return await command.ExecuteScalarAsync(token).ConfigureAwait(false) is not null;
            }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException && !ct.IsCancellationRequested)
        {
            // The leader's connection failed: its session, and with it the leadership, may be gone.
            store.Logger.LogWarning(ex, "Proclaiming in election '{Name}' failed on the leader's connection; the leadership is lost", name);
            written = false;
        }
        if (written) return;
        hold.MarkLost();
        throw new InvalidOperationException($"The leadership of election '{name}' (term {hold.FencingToken}) is no longer held: its session or row is gone; nothing was proclaimed.");
    }

    public static async ValueTask<LeaderInfo?> GetLeaderAsync(PostgresLockStore store, string name, CancellationToken ct)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await ReadAsync(store, connection, name, ct).ConfigureAwait(false);
    }

    public static async IAsyncEnumerable<LeaderInfo?> ObserveAsync(PostgresLockStore store, string name, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = AdvisoryGrant.ChannelOf(AdvisoryKey.Of(AdvisoryGrant.ElectionRow(name)));
        NpgsqlConnection? connection = null;
        try
        {
            // The store's disposal ends the observation, as it ends every wait of the store.
            while (!store.Closing.IsCancellationRequested)
            {
                ct.ThrowIfCancellationRequested();
                var (read, leader, listening) = await TryReadAsync(store, connection, channel, name, ct).ConfigureAwait(false);
                connection = listening;
                if (!read) continue;
                yield return leader;
                await WaitAsync(store, connection!, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (connection is not null) await StopListeningAsync(store, connection).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One read on the observer's listening connection (opened, and LISTENing before the read, when null). A failure
    /// gives the connection up and waits a little: an observation outlives an outage.
    /// </summary>
    private static async Task<(bool Read, LeaderInfo? Leader, NpgsqlConnection? Connection)> TryReadAsync(
        PostgresLockStore store, NpgsqlConnection? connection, string channel, string name, CancellationToken ct)
    {
        try
        {
            if (connection is null)
            {
                connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
                await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return (true, await ReadAsync(store, connection, name, ct).ConfigureAwait(false), connection);
        }
        catch (NpgsqlException ex) when ((ex is not PostgresException || ex.IsTransient) && !ct.IsCancellationRequested)
        {
            store.Logger.LogDebug(ex, "Could not read election '{Name}'; reading again", name);
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(500), store.Time, ct).ConfigureAwait(false);
            return (false, null, null);
        }
    }

    /// <summary>UNLISTEN before the connection goes back to the pool, where it would otherwise go on receiving notifications.</summary>
    private static async Task StopListeningAsync(PostgresLockStore store, NpgsqlConnection connection)
    {
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await using var command = new NpgsqlCommand("UNLISTEN *", connection);
                await command.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            store.Logger.LogDebug(ex, "Could not UNLISTEN an election observer's connection");
        }
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task WaitAsync(PostgresLockStore store, NpgsqlConnection connection, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, store.Closing);
        try
        {
            await connection.WaitAsync(Recheck, linked.Token).ConfigureAwait(false);
        }
        catch (NpgsqlException) when (!linked.IsCancellationRequested)
        {
            // The next read finds the connection broken and opens another.
        }
        catch (OperationCanceledException) when (store.Closing.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // disposed: the loop ends the observation
        }
    }

    /// <summary>The election's row, when the backend it names holds the election's key (so a dead leader is nobody).</summary>
    private static async Task<LeaderInfo?> ReadAsync(PostgresLockStore store, NpgsqlConnection connection, string name, CancellationToken ct)
    {
        var row = AdvisoryGrant.ElectionRow(name);
        var (classId, objId) = AdvisoryKey.InPgLocks(AdvisoryKey.Of(row));
        await using var command = new NpgsqlCommand(
            $"SELECT f.value, f.token FROM {store.Table.Name} f WHERE f.name = $1 AND f.value IS NOT NULL AND EXISTS (" +
            "SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock' AND l.pid = f.pid " +
            "AND l.objsubid = 1 AND l.classid = $2::oid AND l.objid = $3::oid " +
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))", connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = row });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = classId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = objId });
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? new LeaderInfo(reader.GetString(0), reader.GetInt64(1)) : null;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable)
        {
            return null; // nobody ever campaigned here
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedColumn)
        {
            throw store.Explain(ex);
        }
    }

    /// <summary>PostgreSQL's text cannot hold U+0000: refused clearly, before anything is sent.</summary>
    private static void CheckValue(string value, string paramName)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("A postgres:// election value cannot contain U+0000 (PostgreSQL text cannot hold it); use another character or encode the value.", paramName);
    }
}
