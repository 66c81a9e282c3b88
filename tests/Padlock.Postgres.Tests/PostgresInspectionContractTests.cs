using Npgsql;
using Padlock.Stores;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// The inspection contract on a real PostgreSQL server: holders and waiters from pg_locks. The fencing row keeps only
/// the last grant, so permits' and readers' tokens are unknown, and a candidate's value is written only when elected.
/// </summary>
[Collection("postgres")]
public sealed class PostgresInspectionContractTests(PostgresFixture fixture) : PrimitiveInspectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new PostgresContractTests.PostgresAdapter(fixture);

    protected override bool KnowsSharedTokens => false;

    protected override bool KnowsWaitingValues => false;

    [Fact]
    public async Task Inspecting_creates_nothing_not_even_the_fencing_table()
    {
        var table = "t_ro_" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = LockProvider.Create($"{fixture.Server.Uri}&table={table}");
        var inspector = (IPrimitiveInspector)provider.Store;
        await inspector.InspectSemaphoreAsync("ro", 2);
        await inspector.InspectReaderWriterAsync("ro");
        await inspector.InspectElectionAsync("ro");
        await using var db = NpgsqlDataSource.Create(fixture.Server.ConnectionString);
        Assert.Equal(true, await db.CreateCommand($"SELECT to_regclass('{table}') IS NULL").ExecuteScalarAsync());
    }
}
