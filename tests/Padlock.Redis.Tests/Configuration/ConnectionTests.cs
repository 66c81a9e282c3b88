using System.Diagnostics;
using Padlock.LocalServers;
using Padlock.Stores;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Configuration;

/// <summary>An unreachable server is a clear error naming the endpoint, within the connect timeout.</summary>
public sealed class ConnectionTests
{
    [Fact]
    public async Task An_unreachable_server_is_an_error_naming_the_endpoint_within_the_connect_timeout()
    {
        var port = FreePort.Next();
        await using var provider = LockProvider.Create($"redis://127.0.0.1:{port}?connecttimeout=500ms");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<LockStoreUnavailableException>(async () => await provider.CreateLock("x").AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.Equal([$"127.0.0.1:{port}"], ex.Endpoints);
        Assert.Equal("redis", ex.StoreKind);
        Assert.Contains("500ms", ex.Message);
        // Generous guard: the point is that it does not wait for the 30 s acquire timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Unreachable_redlock_masters_are_an_error_naming_them_within_the_connect_timeout()
    {
        int a = FreePort.Next(), b = FreePort.Next(), c = FreePort.Next();
        await using var provider = LockProvider.Create($"redlock://127.0.0.1:{a},127.0.0.1:{b},127.0.0.1:{c}?connecttimeout=500ms");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<LockStoreUnavailableException>(async () => await provider.CreateLock("x").AcquireAsync(TimeSpan.FromSeconds(30)));
        foreach (var port in new[] { a, b, c }) Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.Equal("redlock", ex.StoreKind);
        // Generous guard: the point is that it does not wait for the 30 s acquire timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task After_the_server_comes_back_the_same_provider_works_again()
    {
        await using var server = await RedisServer.StartAsync();
        await using var provider = LockProvider.Create($"redis://{server.Endpoint}?connecttimeout=2s");
        await using (var h = await provider.CreateLock("back").AcquireAsync()) { }
        await server.Process.StopAsync();
        // A server that went away is "unavailable" too, not a Redis client type.
        var down = await Assert.ThrowsAsync<LockStoreUnavailableException>(async () => await provider.CreateLock("back").TryAcquireAsync());
        Assert.Contains(server.Endpoint, down.Message);
        await server.Process.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await using var h = await provider.CreateLock("back").AcquireAsync(TimeSpan.FromSeconds(5));
                break;
            }
            catch (LockStoreUnavailableException) when (!cts.IsCancellationRequested)
            {
                await Task.Delay(100, cts.Token); // the multiplexer reconnects in the background
            }
        }
    }
}
