using System.Diagnostics;
using Padlock.LocalServers;
using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>The holder learns through LostToken when its key is deleted, taken over, or the server goes away.</summary>
[Collection(RedisCollection.Name)]
public sealed class LossTests(RedisFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task LostToken_fires_when_the_key_is_deleted()
    {
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}?lease=2s&renew=200ms");
        var name = "deleted-" + Guid.NewGuid().ToString("N");
        await using var h = await provider.CreateLock(name).AcquireAsync();
        await fixture.Admin.GetDatabase().KeyDeleteAsync(LockKeys.For("padlock:", name).Lock);
        Assert.True(await FiresAsync(h.LostToken, Guard));
    }

    [Fact]
    public async Task LostToken_fires_when_another_owner_overwrote_the_key_and_release_leaves_it()
    {
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}?lease=2s&renew=200ms");
        var name = "stolen-" + Guid.NewGuid().ToString("N");
        var key = LockKeys.For("padlock:", name).Lock;
        var h = await provider.CreateLock(name).AcquireAsync();
        var db = fixture.Admin.GetDatabase();
        await db.StringSetAsync(key, "intruder", TimeSpan.FromSeconds(30));
        Assert.True(await FiresAsync(h.LostToken, Guard));
        await h.DisposeAsync();
        Assert.Equal("intruder", (string?)await db.StringGetAsync(key));
        await db.KeyDeleteAsync(key);
    }

    [Fact]
    public async Task LostToken_fires_before_the_lease_ends_when_the_server_stops()
    {
        await using var server = await RedisServer.StartAsync();
        var lease = TimeSpan.FromSeconds(4);
        await using var provider = LockProvider.Create($"redis://{server.Endpoint}?lease=4s&connecttimeout=500ms");
        await using var h = await provider.CreateLock("stopped").AcquireAsync();
        var fired = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        await server.Process.StopAsync();
        var stoppedAt = clock.Elapsed;
        h.LostToken.Register(() => fired.TrySetResult(clock.Elapsed));
        Assert.True(await Task.WhenAny(fired.Task, Task.Delay(Guard)) == fired.Task, "LostToken did not fire after the server stopped.");
        // Safety, not speed: the last renewal happened before the stop, so the key can live at most one lease
        // after the stop; the holder must have been told by then.
        Assert.True(await fired.Task - stoppedAt < lease, $"LostToken fired {(await fired.Task - stoppedAt).TotalSeconds:0.00} s after the stop, after the {lease.TotalSeconds} s lease.");
    }

    private static async Task<bool> FiresAsync(CancellationToken token, TimeSpan guard)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var reg = token.Register(() => tcs.TrySetResult());
        return await Task.WhenAny(tcs.Task, Task.Delay(guard)) == tcs.Task;
    }
}
