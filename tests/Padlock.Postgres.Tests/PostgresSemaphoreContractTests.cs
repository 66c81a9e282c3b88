using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>The semaphore contract suite on a real PostgreSQL server.</summary>
[Collection("postgres")]
public sealed class PostgresSemaphoreContractTests(PostgresFixture fixture) : SemaphoreContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new PostgresContractTests.PostgresAdapter(fixture);
}
