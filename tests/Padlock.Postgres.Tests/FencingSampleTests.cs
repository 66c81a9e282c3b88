using Npgsql;
using Padlock.Samples.Fencing;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>docs/fencing.md's SQL sample, with real tokens from the postgres:// store on a real server.</summary>
[Collection("postgres")]
public sealed class FencingSampleTests(PostgresFixture fixture)
{
    [Fact]
    public async Task A_stale_holder_can_neither_write_nor_read_then_write_over_a_newer_holder()
    {
        await using var db = NpgsqlDataSource.Create(fixture.Server.ConnectionString);
        await using (var create = db.CreateCommand("CREATE TABLE IF NOT EXISTS account(id bigint PRIMARY KEY, balance bigint NOT NULL, fence bigint NOT NULL DEFAULT 0)"))
            await create.ExecuteNonQueryAsync();
        var id = Random.Shared.NextInt64(1, long.MaxValue);
        await using (var insert = db.CreateCommand($"INSERT INTO account(id, balance) VALUES ({id}, 100)"))
            await insert.ExecuteNonQueryAsync();
        await using var provider = LockProvider.Create(fixture.Uri());
        var theLock = provider.CreateLock("account-" + id);
        long old, current;
        await using (var first = await theLock.AcquireAsync()) old = first.FencingToken;
        await using (var second = await theLock.AcquireAsync()) current = second.FencingToken;
        var account = new FencedAccount(db);

        // The old holder read before the new one came, and writes after it read: refused.
        Assert.Equal(100, await account.ReadAsync(id, old));
        Assert.Equal(100, await account.ReadAsync(id, current));
        var stale = await Assert.ThrowsAsync<StaleFencingTokenException>(() => account.WriteAsync(id, 101, old));
        Assert.Equal(old, stale.Token);
        await account.WriteAsync(id, 150, current);
        // Nor can it read (to write later) once the newer token has been here.
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => account.ReadAsync(id, old));
        Assert.Equal(150, await account.ReadAsync(id, current));
    }
}
