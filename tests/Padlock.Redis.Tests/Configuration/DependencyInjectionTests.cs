using Microsoft.Extensions.DependencyInjection;
using Padlock.LocalServers;
using Padlock.Redis.Tests.Fixtures;
using Xunit;

namespace Padlock.Redis.Tests.Configuration;

/// <summary>AddPadlock with a Redis URI: options checked at registration, no network until first use, keyed stores (issue 13, item 3).</summary>
[Collection(RedisCollection.Name)]
public sealed class DependencyInjectionTests(RedisFixture redis)
{
    [Fact]
    public void A_misspelt_option_fails_at_registration_naming_it_and_the_allowed_ones()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock("redis://localhost:6379?leese=1s"));
        Assert.Contains("Unknown option 'leese'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("lease", ex.Message, StringComparison.Ordinal);
        ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddKeyedPadlock("k", "redlock://h1,h2?lease=1s"));
        Assert.Contains("at least 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_does_not_connect()
    {
        // Nothing listens on this port: registering succeeds, and only a lock call would find the server missing.
        var uri = $"redis://127.0.0.1:{FreePort.Next()}?connecttimeout=200ms";
        using var sp = new ServiceCollection().AddPadlock(uri).BuildServiceProvider();
        Assert.Equal("redis", sp.GetRequiredService<ILockProvider>().StoreKind);
    }

    [Fact]
    public async Task A_keyed_redis_store_and_an_unkeyed_file_store_lock_side_by_side()
    {
        var dir = Path.Combine(Path.GetTempPath(), "padlock-di-" + Guid.NewGuid().ToString("N"));
        var name = "di-" + Guid.NewGuid().ToString("N");
        var services = new ServiceCollection()
            .AddPadlock("file://" + dir)
            .AddKeyedPadlock("orders", $"redis://{redis.Endpoint}");
        using (var sp = services.BuildServiceProvider())
        {
            var orders = sp.GetRequiredKeyedService<ILockProvider>("orders");
            await using var held = await orders.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(5));
            Assert.True(await redis.Admin.GetDatabase().KeyExistsAsync(Keys.LockKeys.For("padlock:", name).Lock));
            await using var local = await sp.GetRequiredService<ILockProvider>().CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(5));
        }
        Directory.Delete(dir, recursive: true);
    }
}
