using Padlock.LocalServers;
using Padlock.Redis.Keys;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Redlock;

/// <summary>Redlock with masters down: one of three is tolerated; two of three fail cleanly, holding nothing anywhere.</summary>
public sealed class RedlockFailureTests : IAsyncLifetime
{
    private readonly List<RedisServer> _servers = [];

    private string Uri => $"redlock://{string.Join(",", _servers.Select(s => s.Endpoint))}?lease=3s&renew=1s&connecttimeout=2s";

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 3; i++) _servers.Add(await RedisServer.StartAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
    }

    [Fact]
    public async Task With_one_master_dead_it_still_acquires_renews_and_excludes()
    {
        await using var provider = LockProvider.Create(Uri);
        await using (var warm = await provider.CreateLock("warm").AcquireAsync()) { }
        await _servers[2].Process.KillAsync();

        var name = "one-dead-" + Guid.NewGuid().ToString("N");
        await using var h = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        await using var other = LockProvider.Create(Uri);
        Assert.Null(await other.CreateLock(name).TryAcquireAsync());
        // Outlive the lease: renewal on the two live masters keeps the hold.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(h.IsLost);
        Assert.Null(await other.CreateLock(name).TryAcquireAsync());
    }

    [Fact]
    public async Task With_two_masters_dead_it_fails_cleanly_and_leaves_nothing_held()
    {
        await using var provider = LockProvider.Create(Uri);
        await using (var warm = await provider.CreateLock("warm").AcquireAsync()) { }
        await _servers[1].Process.KillAsync();
        await _servers[2].Process.KillAsync();

        var name = "two-dead-" + Guid.NewGuid().ToString("N");
        var l = provider.CreateLock(name);
        Assert.Null(await l.TryAcquireAsync());
        await Assert.ThrowsAsync<TimeoutException>(async () => await l.AcquireAsync(TimeSpan.FromSeconds(1)));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_servers[0].Endpoint);
        Assert.False(await admin.GetDatabase().KeyExistsAsync(LockKeys.For("padlock:", name).Lock));
    }

    [Fact]
    public async Task A_holder_that_loses_its_majority_is_told_through_LostToken()
    {
        await using var provider = LockProvider.Create(Uri);
        await using var h = await provider.CreateLock("majority-" + Guid.NewGuid().ToString("N")).AcquireAsync();
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.LostToken.Register(() => lost.TrySetResult());
        await _servers[0].Process.KillAsync();
        await _servers[1].Process.KillAsync();
        Assert.True(await Task.WhenAny(lost.Task, Task.Delay(TimeSpan.FromSeconds(15))) == lost.Task);
    }

    [Fact]
    public async Task Starting_with_one_master_unreachable_works_on_the_other_two()
    {
        await _servers[0].Process.KillAsync();
        await using var provider = LockProvider.Create(Uri);
        var name = "start-one-dead-" + Guid.NewGuid().ToString("N");
        await using var h = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        await using var other = LockProvider.Create(Uri);
        Assert.Null(await other.CreateLock(name).TryAcquireAsync());
    }

    [Fact]
    public async Task Starting_with_two_masters_unreachable_is_a_connection_error_naming_them()
    {
        await _servers[0].Process.KillAsync();
        await _servers[1].Process.KillAsync();
        await using var provider = LockProvider.Create(Uri);
        var ex = await Assert.ThrowsAsync<Padlock.Stores.LockStoreUnavailableException>(async () => await provider.CreateLock("x").TryAcquireAsync());
        Assert.Equal("redlock", ex.StoreKind);
        Assert.Contains(_servers[0].Endpoint, ex.Message);
        Assert.Contains(_servers[1].Endpoint, ex.Message);
    }
}
