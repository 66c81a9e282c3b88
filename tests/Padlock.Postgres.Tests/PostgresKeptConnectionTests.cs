using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// The store keeps lock connections open between holds (warm sessions with prepared statements): what must stay true
/// when such a connection dies while idle or while it holds a lock again.
/// </summary>
[Collection("postgres")]
public sealed class PostgresKeptConnectionTests(PostgresFixture fixture)
{
    [Fact]
    public async Task A_grant_after_the_idle_connections_backends_were_terminated_succeeds_with_a_higher_token()
    {
        var app = "kept-" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = LockProvider.Create(fixture.Uri("&Application%20Name=" + app));
        var name = "kept-" + Guid.NewGuid().ToString("N");
        long last = 0;
        for (var round = 0; round < 2; round++)
        {
            // Three at once, so several connections sit idle (kept by the store or in the pool) afterwards.
            var holds = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => provider.CreateLock(name + i).AcquireAsync(TimeSpan.FromSeconds(10)).AsTask()));
            last = Math.Max(last, holds[0].FencingToken);
            foreach (var h in holds) await h.DisposeAsync();
        }

        // OFFSET 0 keeps the filter apart from the call, so only these backends (not psql's own) are terminated.
        var terminated = (await fixture.Server.PsqlAsync($"SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity WHERE application_name = '{app}' OFFSET 0) s")).Trim();
        Assert.NotEqual("0", terminated);
        await Eventually.TrueAsync(async () => (await fixture.Server.PsqlAsync($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{app}'")).Trim() == "0",
            "the terminated backends are gone");

        for (var i = 0; i < 3; i++)
        {
            await using var h = await provider.CreateLock(name + "0").AcquireAsync(TimeSpan.FromSeconds(10));
            Assert.True(h.FencingToken > last, $"Token {h.FencingToken} is not above {last}.");
            last = h.FencingToken;
        }
    }

    [Theory]
    [InlineData(8, 2)]
    [InlineData(3, 0)]
    public async Task The_store_keeps_at_most_a_quarter_of_the_pool_idle(int pool, int kept)
    {
        // A data source the application brought and shares: connections kept idle are taken from its pool.
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString) { MaxPoolSize = pool }.ConnectionString;
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);
        var table = "t_" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = new LockProvider(new PostgresLockStore(new PostgresLockOptions { DataSource = dataSource, Table = table, Lease = TimeSpan.FromSeconds(6) }));
        var name = "kept-bound-" + Guid.NewGuid().ToString("N");
        var holds = await Task.WhenAll(Enumerable.Range(0, pool).Select(i => provider.CreateLock(name + i).AcquireAsync(TimeSpan.FromSeconds(10)).AsTask()));
        foreach (var h in holds) await h.DisposeAsync();

        Assert.Equal(kept, ((PostgresLockStore)provider.Store).Sessions.Count);
        // The rest went back to the pool: the application can open them all again at once.
        var mine = await Task.WhenAll(Enumerable.Range(0, pool - kept).Select(_ => dataSource.OpenConnectionAsync().AsTask()).ToArray()).WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var c in mine) await c.DisposeAsync();
    }
}
