using Npgsql;

namespace Padlock.Bench.PostgresProcesses;

/// <summary>
/// The critical section of the postgres-procs suite: a counter row of <c>bench_counter</c> incremented by a plain
/// read, then a committed write of the value read plus one, on one open connection with both statements prepared.
/// Only the lock keeps the count exact.
/// </summary>
internal sealed class CounterRow : IAsyncDisposable
{
    /// <summary>The counters' table.</summary>
    public const string CreateTableSql = "CREATE TABLE bench_counter (name text PRIMARY KEY, v bigint NOT NULL)";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _read;
    private readonly NpgsqlCommand _write;

    private CounterRow(NpgsqlConnection connection, string name)
    {
        _connection = connection;
        _read = new NpgsqlCommand("SELECT v FROM bench_counter WHERE name = $1", connection) { Parameters = { new() { Value = name } } };
        _write = new NpgsqlCommand("UPDATE bench_counter SET v = $1 WHERE name = $2", connection) { Parameters = { new() { Value = 0L }, new() { Value = name } } };
    }

    /// <summary>Opens a connection of <paramref name="source"/> to the (existing) counter row <paramref name="name"/>.</summary>
    public static async Task<CounterRow> OpenAsync(NpgsqlDataSource source, string name)
    {
        var row = new CounterRow(await source.OpenConnectionAsync(), name);
        await row._read.PrepareAsync();
        await row._write.PrepareAsync();
        return row;
    }

    /// <summary>Adds the row <paramref name="name"/> at 0.</summary>
    public static async Task InsertAsync(NpgsqlDataSource source, string name)
    {
        await using var insert = source.CreateCommand("INSERT INTO bench_counter VALUES ($1, 0)");
        insert.Parameters.Add(new() { Value = name });
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>The row's value.</summary>
    public async Task<long> ReadAsync() => (long)(await _read.ExecuteScalarAsync())!;

    /// <summary>Reads the value, then writes it plus one (committed: autocommit).</summary>
    public async Task IncrementAsync()
    {
        var value = await ReadAsync();
        _write.Parameters[0].Value = value + 1;
        await _write.ExecuteNonQueryAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _read.DisposeAsync();
        await _write.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
