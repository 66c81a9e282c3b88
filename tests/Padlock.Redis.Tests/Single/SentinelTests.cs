using Padlock.LocalServers;
using Padlock.Redis.Keys;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>A Sentinel-managed master: the URI names the Sentinel and the service; the lock lives on the master.</summary>
public sealed class SentinelTests
{
    [Fact]
    public async Task Locks_go_to_the_master_the_Sentinel_names()
    {
        await using var master = await RedisServer.StartAsync();
        await using var sentinel = await RedisSentinelServer.StartAsync(master, "orders");
        await using var provider = LockProvider.Create($"redis://{sentinel.Endpoint}?sentinel=orders&lease=5s");
        var name = "sentinel-" + Guid.NewGuid().ToString("N");
        await using var h = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(master.Endpoint);
        // The counter on the master ends the block of tokens the grant reserved, which starts with the holder's.
        Assert.Equal(h.FencingToken + 255, (long)await admin.GetDatabase().StringGetAsync(LockKeys.For("padlock:", name).Fence));
        await using var other = LockProvider.Create($"redis://{sentinel.Endpoint}?sentinel=orders");
        Assert.Null(await other.CreateLock(name).TryAcquireAsync());
    }
}
