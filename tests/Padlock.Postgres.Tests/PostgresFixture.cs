using Padlock.LocalServers;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>One real PostgreSQL server for the test classes of the "postgres" collection.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    /// <summary>Room for the many-waiters test (each waiter holds a connection) beside the other classes.</summary>
    public const int MaxConnections = 1200;

    public PostgresServer Server { get; private set; } = null!;

    /// <summary>
    /// A URI on this server with a fencing table of its own, so test classes never see each other's rows, a 6 s lease
    /// (keep-alive every 1.2 s, so losses show quickly) and a pool big enough for the many-waiters test.
    /// </summary>
    public string Uri(string query = "")
        => $"{Server.Uri}&table=t_{Guid.NewGuid().ToString("N")[..8]}&lease=6s&Maximum%20Pool%20Size=1100{query}";

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync(MaxConnections);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
