using System.Text.RegularExpressions;

namespace Padlock.Postgres;

/// <summary>
/// The SQL of the fencing counter table: one row per lock name, its token raised by one, committed, on every grant.
/// A row is never deleted, so a token never goes backwards, across restarts and failovers that keep committed data.
/// An election's row also carries the leader's value and the pid of the backend holding its advisory lock.
/// </summary>
internal sealed partial class FencingTable
{
    public FencingTable(string table)
    {
        Validate(table);
        Name = string.Join('.', table.ToLowerInvariant().Split('.').Select(p => "\"" + p + "\""));
        Create = $"CREATE TABLE IF NOT EXISTS {Name} (name text PRIMARY KEY, token bigint NOT NULL, owner text NOT NULL, granted_at timestamptz NOT NULL, value text, pid integer)";
        AddElectionColumns = $"ALTER TABLE {Name} ADD COLUMN IF NOT EXISTS value text, ADD COLUMN IF NOT EXISTS pid integer";
        Read = $"SELECT token, owner, granted_at FROM {Name} WHERE name = $1";
    }

    /// <summary>The quoted table name.</summary>
    public string Name { get; }

    /// <summary>CREATE TABLE IF NOT EXISTS.</summary>
    public string Create { get; }

    /// <summary>For a table made before elections (value and pid columns missing): the statement that adds them.</summary>
    public string AddElectionColumns { get; }

    /// <summary>
    /// The grant statement of <paramref name="grant"/>: raises (or starts at 1) the token of row $1, owner $2 (and for
    /// an election writes value $3 and this backend's pid, and notifies its channel); returns the new token. With
    /// <paramref name="tryOnce"/> its last parameter is the advisory key, tried once (shared or not) as a one-time
    /// filter: no row, and nothing written, when it is taken. Without, it runs after the lock was taken in its batch.
    /// </summary>
    public string Grant(AdvisoryGrant grant, bool tryOnce)
    {
        var election = grant.Value is not null;
        var columns = election ? "(name, token, owner, granted_at, value, pid)" : "(name, token, owner, granted_at)";
        var values = election ? "$1, 1, $2, now(), $3, pg_backend_pid()" : "$1, 1, $2, now()";
        var filter = tryOnce ? $" WHERE pg_try_advisory_lock{(grant.Shared ? "_shared" : "")}(${(election ? 4 : 3)})" : "";
        var set = "token = f.token + 1, owner = excluded.owner, granted_at = excluded.granted_at" + (election ? ", value = excluded.value, pid = excluded.pid" : "");
        var insert = $"INSERT INTO {Name} AS f {columns} SELECT {values}{filter} ON CONFLICT (name) DO UPDATE SET {set} RETURNING token";
        // The notification is sent at commit, so an observer woken by it reads the new row.
        return election ? $"WITH g AS ({insert}) SELECT token, pg_notify('{grant.Channel}', '')::text FROM g" : insert;
    }

    /// <summary>The row of name $1.</summary>
    public string Read { get; }

    public static void Validate(string? table)
    {
        if (table is null || !Identifier().IsMatch(table))
            throw new ArgumentException($"Fencing table '{table}' is not a plain table name: expected 'table' or 'schema.table' of letters, digits and '_', not starting with a digit, up to 63 characters each.", "table");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")]
    private static partial Regex Identifier();
}
