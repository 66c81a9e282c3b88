using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Reads who holds a lock and who waits from <c>pg_locks</c> (the advisory key in this database, holder first, waiters
/// in the order they began waiting) and the token and owner from the fencing row. Changes nothing.
/// </summary>
internal static class PostgresInspector
{
    private const string LocksSql = """
        SELECT l.granted, l.pid, coalesce(a.application_name, '')
        FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = $1::oid AND l.objid = $2::oid
        ORDER BY l.granted DESC, l.waitstart
        """;

    public static async ValueTask<LockStatus> InspectAsync(PostgresLockStore store, string name, CancellationToken ct)
    {
        var (classId, objId) = AdvisoryKey.InPgLocks(AdvisoryKey.Of(name));
        await using var connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var held = false;
        var waiters = new List<string>();
        await using (var command = new NpgsqlCommand(LocksSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = classId });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = objId });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (reader.GetBoolean(0)) held = true;
                else waiters.Add(string.Create(CultureInfo.InvariantCulture, $"backend {reader.GetInt32(1)} ({reader.GetString(2)})"));
            }
        }
        if (!held) return new LockStatus(name, IsHeld: false, Waiters: waiters);
        await using var row = new NpgsqlCommand(store.Table.Read, connection);
        row.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = name });
        try
        {
            await using var reader = await row.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
                return new LockStatus(name, IsHeld: true, FencingToken: reader.GetInt64(0), Owner: reader.GetString(1),
                    Since: reader.GetFieldValue<DateTimeOffset>(2), Waiters: waiters);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // no table yet: held, token unknown
        }
        return new LockStatus(name, IsHeld: true, Waiters: waiters);
    }
}
