using System.Text.RegularExpressions;

namespace Padlock.Postgres;

/// <summary>
/// The SQL of the fencing counter table: one row per lock name, its token raised by one, committed, on every grant.
/// A row is never deleted, so a token never goes backwards, across restarts and failovers that keep committed data.
/// </summary>
internal sealed partial class FencingTable
{
    public FencingTable(string table)
    {
        Validate(table);
        Name = string.Join('.', table.ToLowerInvariant().Split('.').Select(p => "\"" + p + "\""));
        Create = $"CREATE TABLE IF NOT EXISTS {Name} (name text PRIMARY KEY, token bigint NOT NULL, owner text NOT NULL, granted_at timestamptz NOT NULL)";
        const string upsert = " ON CONFLICT (name) DO UPDATE SET token = f.token + 1, owner = excluded.owner, granted_at = excluded.granted_at RETURNING token";
        // The waiting form runs after pg_advisory_lock in the same batch, so the row is written only by the holder.
        Next = $"INSERT INTO {Name} AS f (name, token, owner, granted_at) VALUES ($1, 1, $2, now())" + upsert;
        // The one-attempt form: the one-time filter tries the lock once; no row (and nothing written) when it is taken.
        TryNext = $"INSERT INTO {Name} AS f (name, token, owner, granted_at) SELECT $1, 1, $2, now() WHERE pg_try_advisory_lock($3)" + upsert;
        Read = $"SELECT token, owner, granted_at FROM {Name} WHERE name = $1";
    }

    /// <summary>The quoted table name.</summary>
    public string Name { get; }

    /// <summary>CREATE TABLE IF NOT EXISTS.</summary>
    public string Create { get; }

    /// <summary>Raises (or starts at 1) the token of name $1, owner $2; returns the new token.</summary>
    public string Next { get; }

    /// <summary>Tries advisory key $3 once; when taken, raises the token of name $1 (owner $2) and returns it, else no row.</summary>
    public string TryNext { get; }

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
