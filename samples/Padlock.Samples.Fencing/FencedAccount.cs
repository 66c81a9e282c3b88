using Npgsql;

namespace Padlock.Samples.Fencing;

/// <summary>
/// A SQL row guarded by fencing tokens: the <c>fence</c> column is the highest token that has touched the row. A read
/// for update claims the row for the caller's token and a write succeeds only while no higher token has claimed it,
/// so a holder that lost its lock (paused past its lease, cut off) can neither overwrite nor read-then-overwrite a
/// newer holder's work. Table: <c>account(id bigint primary key, balance bigint not null, fence bigint not null default 0)</c>.
/// </summary>
public sealed class FencedAccount(NpgsqlDataSource db)
{
    /// <summary>Reads the balance, claiming the row for <paramref name="token"/>.</summary>
    /// <exception cref="StaleFencingTokenException">A higher token has claimed the row.</exception>
    public async Task<long> ReadAsync(long id, long token, CancellationToken cancellationToken = default)
    {
        await using var read = db.CreateCommand("UPDATE account SET fence = $2 WHERE id = $1 AND fence <= $2 RETURNING balance");
        read.Parameters.AddWithValue(id);
        read.Parameters.AddWithValue(token);
        return await read.ExecuteScalarAsync(cancellationToken) is long balance
            ? balance
            : throw new StaleFencingTokenException(token, $"account {id}");
    }

    /// <summary>Writes the balance, still under <paramref name="token"/>.</summary>
    /// <exception cref="StaleFencingTokenException">A higher token has claimed the row since.</exception>
    public async Task WriteAsync(long id, long balance, long token, CancellationToken cancellationToken = default)
    {
        await using var write = db.CreateCommand("UPDATE account SET balance = $2, fence = $3 WHERE id = $1 AND fence <= $3");
        write.Parameters.AddWithValue(id);
        write.Parameters.AddWithValue(balance);
        write.Parameters.AddWithValue(token);
        // No row: a newer holder has been here. Stop; do not retry with the same token.
        if (await write.ExecuteNonQueryAsync(cancellationToken) == 0) throw new StaleFencingTokenException(token, $"account {id}");
    }
}
