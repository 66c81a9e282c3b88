using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>The reader-writer contract suite on a real PostgreSQL server (shared and exclusive advisory locks).</summary>
[Collection("postgres")]
public sealed class PostgresReaderWriterContractTests(PostgresFixture fixture) : ReaderWriterContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new PostgresContractTests.PostgresAdapter(fixture);
}
