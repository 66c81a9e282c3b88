using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// The election contract suite on a real PostgreSQL server. A killed leader process's session ends when its socket
/// closes, so the fixture's 6 s lease is far above what the replacement takes; the limit bounds it generously.
/// </summary>
[Collection("postgres")]
public sealed class PostgresElectionContractTests(PostgresFixture fixture) : ElectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new PostgresContractTests.PostgresAdapter(fixture);
}
