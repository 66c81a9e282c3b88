using Microsoft.Extensions.DependencyInjection;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Configuration;

/// <summary>A store over the application's own multiplexer uses it and never closes it; one from a configuration string owns its own.</summary>
[Collection(RedisCollection.Name)]
public sealed class OwnConnectionTests(RedisFixture fixture)
{
    private static string Name() => "own-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_store_over_the_apps_multiplexer_locks_and_leaves_it_open_when_disposed()
    {
        await using var app = await ConnectionMultiplexer.ConnectAsync(fixture.Endpoint);
        var name = Name();
        var provider = new LockProvider(RedisLockStore.FromConnection(app, new RedisLockOptions { Lease = TimeSpan.FromSeconds(10) }));
        await using (var held = await provider.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.NotNull(held);
            Assert.True(await fixture.Admin.GetDatabase().KeyExistsAsync($"padlock:{{{name}}}:lock"));
        }
        // A second caller (another flow: the holding one would be refused as recursion) waits on the store's
        // subscription on the app's connection, and is woken by a release.
        await using (var first = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10)))
        {
            var second = SeparateFlow.Run(() => provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10)).AsTask());
            await first.DisposeAsync();
            await using var next = await second;
        }
        await provider.DisposeAsync();
        Assert.True(app.IsConnected);
        Assert.True((await app.GetDatabase().PingAsync()) < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Registered_through_DI_over_the_apps_multiplexer_the_container_disposes_the_provider_not_the_connection()
    {
        await using var app = await ConnectionMultiplexer.ConnectAsync(fixture.Endpoint);
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(app);
        services.AddPadlock(sp => new LockProvider(RedisLockStore.FromConnection(sp.GetRequiredService<IConnectionMultiplexer>())));
        var container = services.BuildServiceProvider();
        var locks = container.GetRequiredService<ILockProvider>();
        var name = Name();
        await using (var held = await locks.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.NotNull(held);
            Assert.True(await app.GetDatabase().KeyExistsAsync($"padlock:{{{name}}}:lock"));
        }
        await container.DisposeAsync();
        // The provider went with the container; the application's connection did not.
        Assert.True(app.IsConnected);
        Assert.True((await app.GetDatabase().PingAsync()) < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_connections_own_settings_are_refused_in_the_options()
    {
        await using var app = await ConnectionMultiplexer.ConnectAsync(fixture.Endpoint);
        var ex = Assert.ThrowsAny<ArgumentException>(() => RedisLockStore.FromConnection(app, new RedisLockOptions { Password = "s3cret" }));
        Assert.Contains("Password", ex.Message);
        Assert.DoesNotContain("s3cret", ex.Message);
    }

    [Fact]
    public async Task A_store_from_a_configuration_string_locks()
    {
        await using var provider = new LockProvider(RedisLockStore.FromConfiguration($"{fixture.Endpoint},connectTimeout=2000"));
        await using var held = await provider.CreateLock(Name()).TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(held);
    }

    [Fact]
    public void A_bad_configuration_string_is_an_ArgumentException_that_does_not_show_the_password()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => RedisLockStore.FromConfiguration("h:1,password=s3cret,nosuchkey=1"));
        Assert.DoesNotContain("s3cret", ex.ToString());
        Assert.ThrowsAny<ArgumentException>(() => RedisLockStore.FromConfiguration("password=s3cret"));
    }
}

/// <summary>Redlock over the application's own connections to its masters.</summary>
public sealed class OwnRedlockConnectionTests(RedlockFixture fixture) : IClassFixture<RedlockFixture>
{
    [Fact]
    public async Task Redlock_over_the_apps_multiplexers_locks_and_leaves_them_open()
    {
        var apps = new List<ConnectionMultiplexer>();
        foreach (var s in fixture.Servers) apps.Add(await ConnectionMultiplexer.ConnectAsync(s.Endpoint));
        try
        {
            var provider = new LockProvider(RedlockLockStore.FromConnections(apps));
            await using (var held = await provider.CreateLock("own-redlock-" + Guid.NewGuid().ToString("N")[..8]).TryAcquireAsync(TimeSpan.FromSeconds(10)))
                Assert.NotNull(held);
            await provider.DisposeAsync();
            Assert.All(apps, a => Assert.True(a.IsConnected));
            Assert.ThrowsAny<ArgumentException>(() => RedlockLockStore.FromConnections(apps.Take(2)));
        }
        finally
        {
            foreach (var a in apps) await a.DisposeAsync();
        }
    }
}
