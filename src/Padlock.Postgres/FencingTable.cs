using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Padlock.Postgres;

/// <summary>
/// The SQL of the fencing counter table: one row per lock name, its token raised by one on every grant. A row is never
/// deleted. Tokens come in blocks of 2^<see cref="BlockBits"/>: a grant that opens a block (a name's first grant, the
/// first grant after a crash or failover, a block used up) is committed with the server's synchronous_commit (never
/// 'off'); a grant inside a block whose opening this server incarnation has seen is committed without waiting for the
/// WAL flush. What marks "opened in this incarnation" is a row in an UNLOGGED table, which PostgreSQL empties after
/// every crash recovery and on a promoted replica, exactly the events that can lose unflushed commits; the next grant
/// then opens the block after the last durable one, above every token the lost commits handed out.
/// An election's row also carries the leader's value and the pid of the backend holding its advisory lock.
/// </summary>
internal sealed partial class FencingTable
{
    public FencingTable(string table)
    {
        Validate(table);
        Name = string.Join('.', table.ToLowerInvariant().Split('.').Select(p => "\"" + p + "\""));
        Live = LiveName(table);
        Create = $"CREATE TABLE IF NOT EXISTS {Name} (name text PRIMARY KEY, token bigint NOT NULL, owner text NOT NULL, granted_at timestamptz NOT NULL, value text, pid integer)";
        CreateLive = $"CREATE UNLOGGED TABLE IF NOT EXISTS {Live} (name text PRIMARY KEY, block bigint NOT NULL)";
        AddElectionColumns = $"ALTER TABLE {Name} ADD COLUMN IF NOT EXISTS value text, ADD COLUMN IF NOT EXISTS pid integer";
        Read = $"SELECT token, owner, granted_at FROM {Name} WHERE name = $1";
    }

    /// <summary>The quoted table name.</summary>
    public string Name { get; }

    /// <summary>
    /// Tokens are handed out in blocks of 2^24 grants per name; a crash or failover costs the rest of the current block,
    /// so a name stays below 2^48 (the sharded store's budget) for 2^24 crashes, failovers or used-up blocks.
    /// </summary>
    public const int BlockBits = 24;

    /// <summary>The quoted name of the unlogged table of blocks opened since the server's last crash recovery (the table's name plus <c>_live</c>).</summary>
    public string Live { get; }

    /// <summary>CREATE TABLE IF NOT EXISTS of the counter table.</summary>
    public string Create { get; }

    /// <summary>CREATE UNLOGGED TABLE IF NOT EXISTS of the open-blocks table.</summary>
    public string CreateLive { get; }

    /// <summary>For a table made before elections (value and pid columns missing): the statement that adds them.</summary>
    public string AddElectionColumns { get; }

    /// <summary>
    /// The grant statement of <paramref name="grant"/>: raises (or starts at 1) the token of row $1, owner $2 (and for
    /// an election writes value $3 and this backend's pid, and notifies its channel); returns the new token. With
    /// <paramref name="tryOnce"/> its last parameter is the advisory key, tried once (shared or not) as a one-time
    /// filter: no row, and nothing written, when it is taken. Without, it runs after the lock was taken in its batch.
    /// </summary>
    /// <param name="grant">What is granted.</param>
    /// <param name="tryOnce">The statement tries the advisory lock itself (else the batch took it before).</param>
    /// <param name="blocks">
    /// Token blocks (see the class): false where the <see cref="Live"/> table is missing (made before it, schema
    /// creation off): then every grant raises the token by one and commits with the server's setting.
    /// </param>
    /// <param name="count">
    /// How many tokens the grant reserves (a lock's in-process turn, see <c>Cohort/AdvisoryCohort</c>): the row is raised
    /// to the last of them, which the statement returns; the first is that minus <paramref name="count"/> - 1. The whole
    /// range lies in one block: a range that would cross the block's end starts the next block instead (an opening).
    /// </param>
    public string Grant(AdvisoryGrant grant, bool tryOnce, bool blocks, int count = 1)
    {
        if (count < 1 || count >= 1 << BlockBits || (count > 1 && (grant.Value is not null || grant.Shared)))
            throw new ArgumentOutOfRangeException(nameof(count), count, "Only an exclusive lock's grant reserves more than one token.");
        var election = grant.Value is not null;
        var columns = election ? "(name, token, owner, granted_at, value, pid)" : "(name, token, owner, granted_at)";
        var values = election ? "$1, 1, $2, now(), $3, pg_backend_pid()" : string.Create(CultureInfo.InvariantCulture, $"$1, {count}, $2, now()");
        var filter = tryOnce ? $" WHERE pg_try_advisory_lock{(grant.Shared ? "_shared" : "")}(${(election ? 4 : 3)})" : "";
        var notify = election ? $", pg_notify('{grant.Channel}', '')::text" : "";
        if (!blocks)
        {
            var plain = $"token = f.token + {count}, owner = excluded.owner, granted_at = excluded.granted_at" + (election ? ", value = excluded.value, pid = excluded.pid" : "");
            return $"WITH g AS (INSERT INTO {Name} AS f {columns} SELECT {values}{filter} ON CONFLICT (name) DO UPDATE SET {plain} RETURNING token) SELECT g.token{notify} FROM g";
        }
        const long mask = (1L << BlockBits) - 1;
        // Inside a block this incarnation opened: the next token (at a block's end that is the next block's start, which
        // the commit below treats as an opening). Otherwise the start of the next block. The check reads the statement's
        // snapshot; a block opened by a concurrent grant (two readers) that it misses only costs one more block, never a
        // token inside a block this incarnation did not open.
        var open = $"EXISTS (SELECT 1 FROM {Live} l WHERE l.name = f.name AND l.block = f.token >> {BlockBits})";
        var next = count == 1
            ? $"CASE WHEN {open} THEN f.token + 1 ELSE ((f.token >> {BlockBits}) + 1) << {BlockBits} END"
            : $"CASE WHEN {open} AND (f.token + {count}) >> {BlockBits} = f.token >> {BlockBits} THEN f.token + {count} " +
              $"ELSE (((f.token >> {BlockBits}) + 1) << {BlockBits}) + {count - 1} END";
        // The first token of the grant's range (the token itself when it reserves one).
        var first = count == 1 ? "token" : $"(token - {count - 1})";
        var firstOfG = count == 1 ? "g.token" : $"(g.token - {count - 1})";
        var set = $"token = {next}, owner = excluded.owner, granted_at = excluded.granted_at" + (election ? ", value = excluded.value, pid = excluded.pid" : "");
        var insert = $"INSERT INTO {Name} AS f {columns} SELECT {values}{filter} ON CONFLICT (name) DO UPDATE SET {set} RETURNING token";
        // A token inside a block (not its first, and not a new row's 1) commits without waiting for the WAL flush; any
        // other marks its block open and commits with the server's setting, raised to 'on' if that is 'off'.
        var opening = $"INSERT INTO {Live} (name, block) SELECT $1, {first} >> {BlockBits} FROM g WHERE {first} & {mask} = 0 OR {first} = 1 " +
            "ON CONFLICT (name) DO UPDATE SET block = excluded.block";
        var commit = $"set_config('synchronous_commit', CASE WHEN {firstOfG} & {mask} <> 0 AND {firstOfG} <> 1 THEN 'off' " +
            "WHEN current_setting('synchronous_commit') = 'off' THEN 'on' ELSE current_setting('synchronous_commit') END, true)";
        // The notification is sent at commit, so an observer woken by it reads the new row.
        return $"WITH g AS ({insert}), o AS ({opening}) SELECT g.token, {commit}{notify} FROM g";
    }

    /// <summary>The open-blocks table of <paramref name="table"/>: its last part plus <c>_live</c>, shortened with a hash past 63 characters.</summary>
    private static string LiveName(string table)
    {
        var parts = table.ToLowerInvariant().Split('.');
        var last = parts[^1];
        if (last.Length > 58)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(last)))[..8];
            last = string.Create(CultureInfo.InvariantCulture, $"{last[..46]}_{hash}");
        }
        parts[^1] = last + "_live";
        return string.Join('.', parts.Select(p => "\"" + p + "\""));
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
