using Padlock.LocalServers;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Fixtures;

/// <summary>Three independent redis-servers for Redlock, with an admin connection to each.</summary>
public sealed class RedlockFixture : IAsyncLifetime
{
    public List<RedisServer> Servers { get; } = [];

    public List<ConnectionMultiplexer> Admins { get; } = [];

    public string Endpoints => string.Join(",", Servers.Select(s => s.Endpoint));

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            var s = await RedisServer.StartAsync();
            Servers.Add(s);
            Admins.Add(await ConnectionMultiplexer.ConnectAsync(s.Endpoint));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var a in Admins) await a.DisposeAsync();
        foreach (var s in Servers) await s.DisposeAsync();
    }
}
