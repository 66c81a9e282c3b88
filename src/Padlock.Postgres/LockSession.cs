using Npgsql;
using NpgsqlTypes;

namespace Padlock.Postgres;

/// <summary>
/// A lock connection the store keeps between holds of locks and reader-writer sides (see <see cref="IdleSessions"/>).
/// Its first grant sends the session settings with the grant, as a connection fresh from the pool needs; once it has
/// been given back after a clean release it is warm: the settings are still on (nobody reset the session), and its
/// grant and unlock statements are prepared on it the first time they run, so a grant is one execution of a planned
/// statement, without a pool rent, a reset or the settings.
/// </summary>
internal sealed class LockSession(NpgsqlConnection connection)
{
    private static readonly TimeSpan UnlockTimeout = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, NpgsqlCommand> _grants = new(StringComparer.Ordinal);
    // Keyed by both statements: the grant after a wait is the same for a reader and a writer, the lock call is not.
    private readonly Dictionary<(string Lock, string Grant), NpgsqlBatch> _waits = [];
    private NpgsqlCommand? _unlock;

    public NpgsqlConnection Connection { get; } = connection;

    /// <summary>Given back at least once after a clean release: its settings are applied and its statements may be prepared.</summary>
    public bool Warm { get; set; }

    /// <summary>When it was last put among the idle sessions (a store clock timestamp).</summary>
    public long IdleSince { get; set; }

    /// <summary>The try-once grant <paramref name="sql"/> (parameters: row, owner, key), prepared on this session the first time.</summary>
    /// <returns>The committed token, or null when the advisory lock was taken (nothing written).</returns>
    public async Task<long?> TryGrantAsync(string sql, string row, string owner, long key, CancellationToken ct)
    {
        if (!_grants.TryGetValue(sql, out var command))
        {
            command = new NpgsqlCommand(sql, Connection);
            command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint });
            await command.PrepareAsync(ct).ConfigureAwait(false);
            _grants[sql] = command;
        }
        ((NpgsqlParameter<string>)command.Parameters[0]).TypedValue = row;
        ((NpgsqlParameter<string>)command.Parameters[1]).TypedValue = owner;
        ((NpgsqlParameter<long>)command.Parameters[2]).TypedValue = key;
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long token ? token : null;
    }

    /// <summary>
    /// <paramref name="lockSql"/> (parameter: key; it waits in the server's lock queue, no command timeout), then the
    /// grant <paramref name="grantSql"/> (parameters: row, owner), one batch prepared on this session the first time.
    /// </summary>
    /// <returns>The committed token.</returns>
    public async Task<long> WaitGrantAsync(string lockSql, string grantSql, string row, string owner, long key, CancellationToken ct)
    {
        if (!_waits.TryGetValue((lockSql, grantSql), out var batch))
        {
            batch = new NpgsqlBatch(Connection) { Timeout = 0 };
            var take = new NpgsqlBatchCommand(lockSql);
            take.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint });
            var grant = new NpgsqlBatchCommand(grantSql);
            grant.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
            grant.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(take);
            batch.BatchCommands.Add(grant);
            await batch.PrepareAsync(ct).ConfigureAwait(false);
            _waits[(lockSql, grantSql)] = batch;
        }
        ((NpgsqlParameter<long>)batch.BatchCommands[0].Parameters[0]).TypedValue = key;
        ((NpgsqlParameter<string>)batch.BatchCommands[1].Parameters[0]).TypedValue = row;
        ((NpgsqlParameter<string>)batch.BatchCommands[1].Parameters[1]).TypedValue = owner;
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) throw new InvalidOperationException("The fencing upsert returned no row.");
        return reader.GetInt64(0);
    }

    /// <summary>
    /// <c>pg_advisory_unlock_all()</c>, prepared once the session is warm, bounded by a 5 s command timeout.
    /// </summary>
    /// <returns>False when it failed (the session is then given back the careful way, <see cref="Connections.ReturnAsync"/>).</returns>
    public async Task<bool> TryUnlockAsync()
    {
        try
        {
            if (_unlock is null)
            {
                _unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", Connection) { CommandTimeout = (int)UnlockTimeout.TotalSeconds };
                if (Warm) await _unlock.PrepareAsync().ConfigureAwait(false);
            }
            else if (Warm && !_unlock.IsPrepared)
            {
                await _unlock.PrepareAsync().ConfigureAwait(false);
            }
            await _unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }
}
