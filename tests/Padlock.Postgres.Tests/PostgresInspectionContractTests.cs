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
}
