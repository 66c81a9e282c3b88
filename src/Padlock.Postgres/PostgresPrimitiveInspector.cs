using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Reads who holds and who waits for a semaphore, reader-writer lock or election from <c>pg_locks</c> (the primitive's
/// advisory keys in this database: granted rows are holders, the others waiters in the order they began waiting) and
/// the fencing rows, changing nothing. A backend is shown by the owner in its application name (the store sets
/// "padlock OWNER") and its pid. The fencing row keeps only the last grant, so a token is shown where that grant is
/// known to be the holder's: a single writer's, the leader's; permits' and readers' tokens are unknown (null).
/// </summary>
internal static class PostgresPrimitiveInspector
{
    private const string LocksSql = """
        SELECT k.key, l.granted, l.mode, l.pid, coalesce(a.application_name, ''), l.waitstart
        FROM pg_locks l
        JOIN unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS k(key, c, o) ON l.classid::bigint = k.c AND l.objid::bigint = k.o
        LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY l.granted DESC, l.waitstart NULLS LAST, l.pid
        """;

    public static async ValueTask<PrimitiveStatus> SemaphoreAsync(PostgresLockStore store, string name, int maxCount, CancellationToken ct)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        // The count the name is in use with decides which slot keys to look at; the caller's only when none is recorded.
        var recorded = await ReadRowAsync(store, connection, new SemaphoreKeys(name, 1).CountRow, ct).ConfigureAwait(false);
        var count = recorded?.Token is >= 1 and <= SemaphoreLimits.MaxCount ? (int)recorded.Value.Token : maxCount;
        var keys = new SemaphoreKeys(name, count);
        var rows = await ReadLocksAsync(connection, [.. keys.Slots, keys.Line], ct).ConfigureAwait(false);
        var holders = rows.Where(r => r.Granted && r.Key != keys.Line).Select(r => new PrimitiveEntry(r.Owner)).ToList();
        // The line's holder is the head waiter (trying the slots, or waiting for a release); the rest queue behind it.
        var waiters = rows.Where(r => r.Key == keys.Line).Select(r => new PrimitiveEntry(r.Owner, Since: r.WaitStart)).ToList();
        return new PrimitiveStatus(name, holders, waiters);
    }

    public static async ValueTask<PrimitiveStatus> ReaderWriterAsync(PostgresLockStore store, string name, CancellationToken ct)
    {
        var grant = AdvisoryGrant.ReaderWriter(name, read: false);
        await using var connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await ReadLocksAsync(connection, [grant.Key], ct).ConfigureAwait(false);
        static LockMode ModeOf(LockRow r) => r.Mode == "ShareLock" ? LockMode.Read : LockMode.Write;
        var holders = rows.Where(r => r.Granted).Select(r => new PrimitiveEntry(r.Owner, Mode: ModeOf(r))).ToList();
        if (holders is [{ Mode: LockMode.Write } writer])
        {
            // Nothing is granted beside a writer, so the row's last grant is its own.
            var row = await ReadRowAsync(store, connection, grant.FenceRow, ct).ConfigureAwait(false);
            if (row is { } r) holders[0] = writer with { FencingToken = r.Token, Since = r.GrantedAt };
        }
        var waiters = rows.Where(r => !r.Granted).Select(r => new PrimitiveEntry(r.Owner, Since: r.WaitStart, Mode: ModeOf(r))).ToList();
        return new PrimitiveStatus(name, holders, waiters);
    }

    public static async ValueTask<PrimitiveStatus> ElectionAsync(PostgresLockStore store, string name, CancellationToken ct)
    {
        var rowName = AdvisoryGrant.ElectionRow(name);
        await using var connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await ReadLocksAsync(connection, [AdvisoryKey.Of(rowName)], ct).ConfigureAwait(false);
        var holders = new List<PrimitiveEntry>();
        if (rows.FirstOrDefault(r => r.Granted) is { Granted: true } leader)
        {
            var row = await ReadRowAsync(store, connection, rowName, ct).ConfigureAwait(false);
            // The row is the leader's only when it names the backend holding the key (a grant writes both in one commit).
            holders.Add(row is { } r && r.Pid == leader.Pid
                ? new PrimitiveEntry(leader.Owner, r.Token, r.GrantedAt, Value: r.Value)
                : new PrimitiveEntry(leader.Owner));
        }
        var waiters = rows.Where(r => !r.Granted).Select(r => new PrimitiveEntry(r.Owner, Since: r.WaitStart)).ToList();
        return new PrimitiveStatus(name, holders, waiters);
    }

    private static async Task<List<LockRow>> ReadLocksAsync(NpgsqlConnection connection, long[] keys, CancellationToken ct)
    {
        var pairs = keys.Select(AdvisoryKey.InPgLocks).ToArray();
        await using var command = new NpgsqlCommand(LocksSql, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = keys });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = pairs.Select(p => p.ClassId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = pairs.Select(p => p.ObjId).ToArray() });
        var rows = new List<LockRow>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var pid = reader.GetInt32(3);
            rows.Add(new LockRow(reader.GetInt64(0), reader.GetBoolean(1), reader.GetString(2), pid, Describe(reader.GetString(4), pid),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return rows;
    }

    // "padlock OWNER" is what the store sets; any other application name is shown as it is.
    private static string Describe(string application, int pid)
    {
        var owner = application.StartsWith("padlock ", StringComparison.Ordinal) ? application["padlock ".Length..] : application;
        return owner.Length == 0
            ? string.Create(CultureInfo.InvariantCulture, $"backend {pid}")
            : string.Create(CultureInfo.InvariantCulture, $"{owner} (backend {pid})");
    }

    private static async Task<(long Token, DateTimeOffset GrantedAt, string? Value, int? Pid)?> ReadRowAsync(PostgresLockStore store, NpgsqlConnection connection, string row, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT token, granted_at, value, pid FROM {store.Table.Name} WHERE name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = row });
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
            return (reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3));
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            return null; // no table yet (nothing ever granted), or one made before elections
        }
    }

    private readonly record struct LockRow(long Key, bool Granted, string Mode, int Pid, string Owner, DateTimeOffset? WaitStart);
}
