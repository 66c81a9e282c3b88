using Padlock.LocalServers;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Fixtures;

/// <summary>One real standalone redis-server shared by a test collection, plus an admin connection to poke at keys.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Admin { get; private set; } = null!;

    public string Endpoint => Server.Endpoint;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Admin = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        if (Admin is not null) await Admin.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
